import type { INodeProperties } from 'n8n-workflow';

/**
 * The canvas subtitle of a resource/operation node as an n8n expression: "<prefix>: <operation>",
 * the operation by its display name looked up by `<resource>:<operation>`, so the canvas never
 * shows raw values or "undefined". `prefix` is an expression fragment (e.g. the channel's name);
 * without one, the resource's display name leads ("Message: Send to Chat"). Short enough for the
 * canvas, which cuts subtitles at about 30 characters.
 */
export function operationSubtitle(properties: INodeProperties[], prefix?: string): string {
	const labels: Record<string, string> = {};
	for (const property of properties) {
		if (property.name !== 'operation' || !Array.isArray(property.options)) continue;
		const resources = (property.displayOptions?.show?.resource ?? []) as string[];
		for (const option of property.options) {
			if (!('value' in option) || typeof option.value !== 'string') continue;
			for (const resource of resources) labels[`${resource}:${option.value}`] ??= option.name;
		}
	}
	const resource = properties.find((p) => p.name === 'resource' && Array.isArray(p.options));
	const lead =
		prefix ??
		optionName('resource', (resource?.options ?? []) as Array<{ name: string; value: unknown }>);
	const operation = `(${JSON.stringify(labels)}[$parameter["resource"] + ":" + $parameter["operation"]] || "")`;
	return `={{ ${lead} + ": " + ${operation} }}`;
}

/** An expression fragment that maps an options parameter's value to its display name. */
export function optionName(
	parameter: string,
	options: Array<{ name: string; value: unknown }>,
): string {
	const names = Object.fromEntries(options.map((option) => [String(option.value), option.name]));
	return `(${JSON.stringify(names)}[$parameter["${parameter}"]] || "")`;
}

/** A multiOptions parameter's chosen values as their display names, comma-separated. */
export function optionNames(
	parameter: string,
	options: Array<{ name: string; value: unknown }>,
): string {
	const names = Object.fromEntries(options.map((option) => [String(option.value), option.name]));
	const values = `[].concat($parameter["${parameter}"] || [])`;
	const toName = `(value) => (${JSON.stringify(names)}[value] || value)`;
	return `={{ ${values}.map(${toName}).join(", ") }}`;
}
