/**
 * Where a trigger may fetch a received file from. A webhook event names its media by URL, and the
 * sender controls part of the event: a trigger fetches only from its platform's own media hosts
 * (each channel declares them next to its code) or from the host of the credential's API Base URL
 * (a proxy, a regional edge, the test emulators). Anything else is not fetched; the attachment
 * gets a notice saying why (docs/chat-channels.md, "Attachments").
 */

export interface MediaSources {
	/** Host names; `*.example.com` matches every subdomain of example.com. Always over https. */
	hosts: readonly string[];
	/** The path a media URL must have (any host, the API Base URL's too), when the platform has one. */
	path?: RegExp;
	/** The hosts in words, for the notice. */
	description: string;
}

function hostMatches(host: string, pattern: string): boolean {
	return pattern.startsWith('*.')
		? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
		: host === pattern;
}

function hostnameOf(url: string | undefined): string | undefined {
	try {
		return url ? new URL(url).hostname.toLowerCase() : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Why `url` is not fetched, or undefined when it may be: a platform media host over https, or
 * (http or https) the host of `apiBaseUrl`.
 */
export function mediaUrlRefusal(
	url: string,
	sources: MediaSources,
	apiBaseUrl?: string,
): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'the media URL is not a valid URL';
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
		return `${parsed.protocol} URLs are not fetched`;
	if (parsed.username || parsed.password)
		return 'a media URL with a user name or password is not fetched';
	const host = parsed.hostname.toLowerCase();
	const configured = hostnameOf(apiBaseUrl);
	const allowedHost =
		host === configured ||
		(parsed.protocol === 'https:' && sources.hosts.some((p) => hostMatches(host, p)));
	if (!allowedHost) {
		const orApiHost = configured ? ` or the credential's API host (${configured})` : '';
		return `${parsed.hostname} is not ${sources.description}${orApiHost}, so the file was not fetched`;
	}
	if (sources.path && !sources.path.test(parsed.pathname))
		return 'the media URL does not have the form of a media file URL';
	return undefined;
}
