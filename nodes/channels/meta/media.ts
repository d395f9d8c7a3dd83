/**
 * Files Meta hosts: a webhook attachment's URL (a signed CDN link, fetched without credentials:
 * Messenger, Instagram) or a media URL that needs the token (WhatsApp Cloud API's
 * `GET /{media-id}` → `url`, fetched with the credential). A redirect to another origin is never
 * followed (the token stays with Meta's host). Used as `FileSource.open` (../attachments.ts).
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { BinaryStream } from '../../shared/binary';
import { TIMEOUTS, sendRequest } from '../../shared/http';
import { headerValue } from '../../shared/signature';
import type { OpenedDownload } from '../attachments';

/** Meta's media CDN hosts: images and stickers on *.fbcdn.net, files, audio, video on *.fbsbx.com. */
export const META_MEDIA_HOSTS = ['*.fbcdn.net', '*.fbsbx.com'];

/**
 * Opens a media URL: anonymously, or signed by `credentialType` when given. Throws (a plain
 * Error naming the status) when the answer is not 2xx; the caller turns it into a notice.
 */
export async function openMediaUrl(
	ctx: IWebhookFunctions,
	url: string,
	credentialType?: string,
): Promise<OpenedDownload> {
	const response = await sendRequest(ctx, {
		...(credentialType ? { credentialType } : {}),
		options: { method: 'GET', url, encoding: 'stream' },
		timeoutMs: TIMEOUTS.transfer,
		redirects: 'sameOrigin',
		retry: { retryServerErrors: true, maxAttempts: 3 },
	});
	if (response.networkError !== undefined) throw response.networkError;
	const stream = response.body as BinaryStream & { destroy?: () => void };
	if (response.statusCode < 200 || response.statusCode >= 300) {
		stream?.destroy?.();
		throw new Error(`HTTP ${response.statusCode}`);
	}
	const length = Number(headerValue(response.headers, 'content-length') ?? NaN);
	return {
		stream,
		size: Number.isFinite(length) ? length : undefined,
		contentType: headerValue(response.headers, 'content-type')?.split(';')[0].trim() || undefined,
	};
}
