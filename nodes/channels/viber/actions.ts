/**
 * What the Chat Channel node can do on Viber: text (split above 7000 characters), files by URL
 * (Viber fetches them itself: a picture for JPEG/PNG/GIF up to 1 MB, a video for MP4 up to 26 MB,
 * a file up to 50 MB), a keyboard for the inline buttons. Every message carries the credential's
 * Bot Name as its sender. No message Viber accepted is sent twice (../parts.ts).
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { TIMEOUTS, sendRequest } from '../../shared/http';
import { headerValue } from '../../shared/signature';
import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	InlineButton,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
} from '../types';
import { keyboardOf, keyboardProblem } from './keyboard';
import { VIBER_LIMITS, credentialsOf, senderOf, viberApiRequest } from './transport';

interface ViberSent extends IDataObject {
	message_token: string;
}

/** Files Viber does not take as `file` messages (its list of executable and script types). */
const FORBIDDEN_FILE = /\.(exe|bat|cmd|com|scr|msi|vbs|js|jar|apk|dll|sh|ps1)$/i;

function checkButtons(call: SendContext, buttons: InlineButton[][] | undefined): void {
	const problem = buttons ? keyboardProblem(buttons) : undefined;
	if (problem)
		throw new NodeOperationError(call.ctx.getNode(), problem, { itemIndex: call.itemIndex });
}

/** Sends one message (`send_message`) with the sender and, on the last part, the keyboard. */
async function post(
	call: SendContext,
	receiver: string,
	message: IDataObject,
	buttons?: InlineButton[][],
): Promise<AcceptedPart> {
	const credentials = await credentialsOf(call.ctx, call.itemIndex);
	if (!credentials.botName) {
		throw new NodeOperationError(call.ctx.getNode(), 'The Viber credential has no Bot Name', {
			itemIndex: call.itemIndex,
			description: 'Viber needs a sender name on every message: set "Bot Name" in the credential.',
		});
	}
	const body: IDataObject = { receiver, sender: senderOf(credentials), ...message };
	const keyboard = keyboardOf(buttons);
	if (keyboard) {
		body.keyboard = keyboard.keyboard;
		if (keyboard.trackingData) body.tracking_data = keyboard.trackingData;
	}
	const sent = await viberApiRequest<ViberSent>(call.ctx, {
		api: 'send_message',
		body,
		itemIndex: call.itemIndex,
		what: 'send message',
	});
	return { messageId: String(sent.message_token), timestamp: new Date().toISOString(), raw: sent };
}

const textParts = (text: string, format: SendTextRequest['format'], limit: number) =>
	splitText(toLightMarkup(text, format), limit);

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	checkButtons(call, request.buttons);
	const parts = textParts(request.text, request.format, VIBER_LIMITS.maxTextLength);
	const sent = await sendParts(call, parts.length, async (index) => {
		const last = index === parts.length - 1;
		return await post(
			call,
			request.conversationId,
			{ type: 'text', text: parts[index] },
			last ? request.buttons : undefined,
		);
	});
	return partsResult('viber', request.conversationId, sent);
}

/** What a URL serves, as far as its headers say (for Viber's picture/video/file rules). */
interface Probe {
	mimeType?: string;
	size?: number;
	fileName?: string;
}

/** The file name of a Content-Disposition header, or of the URL's last path segment. */
function fileNameOf(url: string, disposition: string | undefined): string | undefined {
	const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '')?.[1];
	const plain = /filename="?([^";]+)"?/i.exec(disposition ?? '')?.[1];
	const segment = (() => {
		try {
			return new URL(url).pathname.split('/').pop() ?? '';
		} catch {
			return '';
		}
	})();
	for (const value of [star, plain, segment]) {
		if (!value) continue;
		try {
			return decodeURIComponent(value);
		} catch {
			return value;
		}
	}
	return undefined;
}

/**
 * Asks the URL (HEAD, anonymous, no redirect to another host) what it serves; undefined when it
 * cannot be asked (not reachable from n8n, refused).
 */
async function probe(call: SendContext, url: string): Promise<Probe | undefined> {
	const response = await sendRequest(call.ctx, {
		options: { method: 'HEAD', url },
		timeoutMs: TIMEOUTS.api,
		redirects: 'download',
		retry: { retryServerErrors: false, maxAttempts: 1 },
	});
	if (
		response.networkError !== undefined ||
		response.statusCode < 200 ||
		response.statusCode >= 300
	)
		return undefined;
	const length = Number(headerValue(response.headers, 'content-length') ?? NaN);
	return {
		mimeType: headerValue(response.headers, 'content-type')?.split(';')[0].trim().toLowerCase(),
		size: Number.isFinite(length) && length > 0 ? length : undefined,
		fileName: fileNameOf(url, headerValue(response.headers, 'content-disposition')),
	};
}

const PICTURE = /^image\/(jpeg|jpg|png|gif)$/;

/** The Viber message for a file at `url`: picture, video, file, or (when nothing is known) a link. */
function mediaMessage(
	call: SendContext,
	request: SendFileRequest,
	url: string,
	known: Probe | undefined,
): IDataObject {
	const mime = known?.mimeType ?? '';
	const size = known?.size;
	const name = known?.fileName || 'file';
	const tooLarge = (limit: number, what: string) =>
		new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${((size ?? 0) / 1048576).toFixed(1)} MB; Viber takes ${what} up to ${limit / 1048576} MB`,
			{
				itemIndex: call.itemIndex,
				description: 'Send a link to the file in a text message instead.',
			},
		);
	// a picture over 1 MB goes as a file
	const picture =
		(request.kind === 'photo' || (request.kind === 'auto' && PICTURE.test(mime))) &&
		(size === undefined || size <= VIBER_LIMITS.maxPictureBytes);
	if (picture) return { type: 'picture', media: url };
	const video =
		(request.kind === 'video' || (request.kind === 'auto' && mime === 'video/mp4')) &&
		size !== undefined &&
		size <= VIBER_LIMITS.maxVideoBytes;
	if (video) return { type: 'video', media: url, size };
	if (size === undefined) {
		// Viber needs a file's size: a URL that does not tell it goes as a link the customer opens
		return { type: 'url', media: url };
	}
	if (size > VIBER_LIMITS.maxFileBytes) throw tooLarge(VIBER_LIMITS.maxFileBytes, 'files');
	if (FORBIDDEN_FILE.test(name)) {
		throw new NodeOperationError(call.ctx.getNode(), `Viber does not send files like "${name}"`, {
			itemIndex: call.itemIndex,
			description: 'Viber refuses executables and scripts; send a link to the file instead.',
		});
	}
	return {
		type: 'file',
		media: url,
		size,
		file_name: [...name].slice(0, VIBER_LIMITS.maxFileNameLength).join(''),
	};
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const url =
		source.type === 'url'
			? source.url.trim()
			: source.type === 'fileId'
				? source.fileId.trim()
				: '';
	if (source.type === 'binary' || !/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(call.ctx.getNode(), 'Viber needs the file as a public URL', {
			itemIndex: call.itemIndex,
			description:
				'Viber fetches media itself from a public http(s) URL (pictures up to 1 MB, videos up ' +
				'to 26 MB, files up to 50 MB); it takes no uploads. Set "File Source" to URL, e.g. a ' +
				'link from your file storage.',
		});
	}
	checkButtons(call, request.buttons);
	const caption = request.caption?.trim() ? toLightMarkup(request.caption, request.format) : '';
	// asked once per item: a retry of the node sends the same message
	const message = mediaMessage(call, request, url, await probe(call, url));
	const inPicture = message.type === 'picture' && caption.length <= VIBER_LIMITS.maxCaptionLength;
	if (inPicture && caption) message.text = caption;
	const captionParts = caption && !inPicture ? splitText(caption, VIBER_LIMITS.maxTextLength) : [];
	const count = 1 + captionParts.length;
	const sent = await sendParts(call, count, async (index) => {
		const buttons = index === count - 1 ? request.buttons : undefined;
		const part = index === 0 ? message : { type: 'text', text: captionParts[index - 1] };
		return await post(call, request.conversationId, part, buttons);
	});
	return { ...partsResult('viber', request.conversationId, sent), kind: String(message.type) };
}

export const viberActions: ChannelActions = { sendText, sendFile };
