/**
 * What Messenger Platform webhook events (Messenger, Instagram Direct) have in common before each
 * channel's normalize.ts reads them: `entry[].messaging[]` with the account of its entry, the
 * attachment payload, a file on Meta's CDN, the timestamp. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { AttachmentType, ChannelAttachment } from '../types';

/** One `entry[].messaging[]` event. */
export interface MessagingEvent extends IDataObject {
	sender?: { id?: string };
	recipient?: { id?: string };
	timestamp?: number;
}

/** Every messaging event of a webhook body, in order, with the account (entry id) it was for. */
export function messagingEventsOf<E extends MessagingEvent>(
	body: IDataObject,
): Array<{ account: string; event: E }> {
	const out: Array<{ account: string; event: E }> = [];
	for (const entry of (Array.isArray(body.entry) ? body.entry : []) as IDataObject[]) {
		if (!entry || typeof entry !== 'object') continue;
		const list = (Array.isArray(entry.messaging) ? entry.messaging : []) as E[];
		for (const event of list)
			if (event && typeof event === 'object') out.push({ account: String(entry.id ?? ''), event });
	}
	return out;
}

/** An attachment's `payload`, `{}` when there is none. */
export function payloadOf(attachment: IDataObject): IDataObject {
	return (
		attachment?.payload && typeof attachment.payload === 'object' ? attachment.payload : {}
	) as IDataObject;
}

/** The last path segment of a URL, decoded; '' when there is none or it cannot be decoded. */
function fileNameOf(url: string): string {
	try {
		const last = new URL(url, 'https://x.invalid').pathname.split('/').pop() ?? '';
		try {
			return decodeURIComponent(last);
		} catch {
			return last;
		}
	} catch {
		return '';
	}
}

/** A file Meta hosts (its CDN link as fileId, downloaded by the trigger) as an attachment. */
export function cdnFileOf(type: AttachmentType, url: string | undefined): ChannelAttachment {
	const item: ChannelAttachment = {
		type,
		fileName: (url && fileNameOf(url)) || null,
		mimeType: null,
		size: null,
	};
	if (url) item.fileId = url;
	return item;
}

/** An event's `timestamp` (ms) as ISO text; now when it has none. */
export const isoOf = (ms: unknown) =>
	new Date(typeof ms === 'number' && Number.isFinite(ms) ? ms : Date.now()).toISOString();
