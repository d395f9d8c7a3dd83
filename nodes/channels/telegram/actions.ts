/**
 * What the Chat Channel node can do on Telegram. Every call goes through the transport
 * (pacing, 429, errors); no message that Telegram accepted is sent twice.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import type { AcceptedPart } from '../parts';
import { partsResult, sendParts } from '../parts';
import { escapeHtml, htmlVisibleLength, splitHtml, splitText } from '../text';
import type {
	ChannelActions,
	FileKind,
	InlineButton,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
	TextFormat,
} from '../types';
import { toMarkdownV2 } from './format';
import { readMarkdownV2, splitMarkdownV2 } from './markdownV2';
import { TELEGRAM_LIMITS, telegramApiRequest } from './transport';

interface TgSent extends IDataObject {
	message_id: number;
	date: number;
	chat: { id: number };
}

const PARSE_MODE: Record<TextFormat, string | undefined> = {
	plain: undefined,
	html: 'HTML',
	markdownV2: 'MarkdownV2',
	markdownV2Raw: 'MarkdownV2',
};

/** The text in parts Telegram accepts, each already in the wire format. */
export function telegramTextParts(
	text: string,
	format: TextFormat,
	limit = TELEGRAM_LIMITS.maxTextLength,
): string[] {
	switch (format) {
		case 'html':
			return splitHtml(text, limit);
		case 'markdownV2':
			// converted first, then cut where no entity is open: counted as Telegram counts
			return splitMarkdownV2(toMarkdownV2(text), limit);
		case 'markdownV2Raw':
			return splitMarkdownV2(text, limit);
		case 'plain':
		default:
			return splitText(text, limit);
	}
}

/** Characters Telegram counts for a caption in this format (markup excluded). */
function visibleLength(text: string, format: TextFormat): number {
	if (format === 'html') return htmlVisibleLength(text);
	if (format === 'markdownV2Raw') {
		const reading = readMarkdownV2(text);
		if (reading) return reading.visibleBefore[reading.visibleBefore.length - 1];
		return text.replace(/\\(.)/g, '$1').replace(/[*_~|`]/g, '').length;
	}
	return text.length;
}

function replyMarkup(buttons: InlineButton[][] | undefined): string | undefined {
	const rows = (buttons ?? []).map((row) => row.filter((b) => b.text)).filter((row) => row.length);
	if (!rows.length) return undefined;
	return JSON.stringify({
		inline_keyboard: rows.map((row) =>
			row.map((b) =>
				b.url
					? { text: b.text, url: b.url }
					: { text: b.text, callback_data: b.callbackData || b.text },
			),
		),
	});
}

const MIME_KIND: Array<[RegExp, FileKind]> = [
	[/^image\/(jpeg|jpg|png|webp)$/i, 'photo'],
	[/^audio\/ogg/i, 'voice'],
	[/^audio\/(mpeg|mp3|mp4|m4a|x-m4a|aac)$/i, 'audio'],
	[/^video\/mp4$/i, 'video'],
];

/** The send method for a file: the chosen kind, or one that fits the MIME type. */
function fileKindFor(
	kind: FileKind,
	mimeType: string | undefined,
	size?: number,
): Exclude<FileKind, 'auto'> {
	if (kind !== 'auto') return kind;
	const found = MIME_KIND.find(([re]) => re.test(mimeType ?? ''))?.[1] ?? 'document';
	// Telegram takes photos up to 10 MB; a larger image goes as a document.
	if (found === 'photo' && size !== undefined && size > 10 * 1024 * 1024) return 'document';
	return found as Exclude<FileKind, 'auto'>;
}

const METHOD: Record<Exclude<FileKind, 'auto'>, string> = {
	photo: 'sendPhoto',
	document: 'sendDocument',
	audio: 'sendAudio',
	video: 'sendVideo',
	voice: 'sendVoice',
};

/** A message Telegram accepted, as the shared part-sending (nodes/channels/parts.ts) keeps it. */
function accepted(message: TgSent): AcceptedPart {
	return {
		messageId: String(message.message_id),
		timestamp: new Date(message.date * 1000).toISOString(),
		raw: message,
	};
}

/** Sends `count` messages in order through the shared part-sending (no part sent twice). */
async function sendTelegramParts(
	call: SendContext,
	count: number,
	sendPart: (index: number) => Promise<TgSent>,
): Promise<AcceptedPart[]> {
	return await sendParts(call, count, async (index) => accepted(await sendPart(index)));
}

function commonFields(
	request: { conversationId: string; replyToMessageId?: string; silent?: boolean },
	first: boolean,
): IDataObject {
	const body: IDataObject = { chat_id: request.conversationId };
	if (first && request.replyToMessageId) {
		body.reply_parameters = {
			message_id: Number(request.replyToMessageId),
			allow_sending_without_reply: true,
		};
	}
	if (request.silent) body.disable_notification = true;
	return body;
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	const parts = telegramTextParts(request.text, request.format);
	const markup = replyMarkup(request.buttons);
	const sent = await sendTelegramParts(call, parts.length, async (index) => {
		const body: IDataObject = { ...commonFields(request, index === 0), text: parts[index] };
		const parseMode = PARSE_MODE[request.format];
		if (parseMode) body.parse_mode = parseMode;
		if (request.disableLinkPreview) body.link_preview_options = { is_disabled: true };
		if (markup && index === parts.length - 1) body.reply_markup = JSON.parse(markup);
		return await telegramApiRequest<TgSent>(call.ctx, {
			method: 'sendMessage',
			body,
			paceChat: request.conversationId,
			itemIndex: call.itemIndex,
		});
	});
	return partsResult('telegram', request.conversationId, sent);
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const upload = source.type === 'binary' ? source.upload : undefined;
	const kind = fileKindFor(request.kind, upload?.mimeType, upload?.size);
	if (upload?.size !== undefined && upload.size > TELEGRAM_LIMITS.maxUploadBytes) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${(upload.size / 1024 / 1024).toFixed(1)} MB; Telegram bots can upload at most 50 MB`,
			{
				itemIndex: call.itemIndex,
				description:
					'Send a link to the file instead (File Source: URL), or use a local Bot API server (up to 2000 MB).',
			},
		);
	}
	const caption = request.caption ?? '';
	const captionFits = visibleLength(caption, request.format) <= TELEGRAM_LIMITS.maxCaptionLength;
	const captionText = captionFits ? (telegramTextParts(caption, request.format)[0] ?? '') : '';
	const followUp = caption.trim() && !captionFits ? telegramTextParts(caption, request.format) : [];
	const markup = replyMarkup(request.buttons);
	const parseMode = PARSE_MODE[request.format];

	const sent = await sendTelegramParts(call, 1 + followUp.length, async (index) => {
		if (index > 0) {
			const body: IDataObject = { chat_id: request.conversationId, text: followUp[index - 1] };
			if (parseMode) body.parse_mode = parseMode;
			if (markup && index === followUp.length) body.reply_markup = JSON.parse(markup);
			return await telegramApiRequest<TgSent>(call.ctx, {
				method: 'sendMessage',
				body,
				paceChat: request.conversationId,
				itemIndex: call.itemIndex,
			});
		}
		const fields = commonFields(request, true);
		if (captionText.trim()) {
			fields.caption = captionText;
			if (parseMode) fields.parse_mode = parseMode;
		}
		if (markup && !followUp.length) fields.reply_markup = markup;
		if (!upload) {
			const reference =
				source.type === 'url' ? source.url : source.type === 'fileId' ? source.fileId : '';
			const body: IDataObject = { ...fields, [kind]: reference };
			if (typeof body.reply_markup === 'string') body.reply_markup = JSON.parse(body.reply_markup);
			return await telegramApiRequest<TgSent>(call.ctx, {
				method: METHOD[kind],
				body,
				paceChat: request.conversationId,
				itemIndex: call.itemIndex,
			});
		}
		const textFields: Record<string, string> = {};
		for (const [name, value] of Object.entries(fields)) {
			textFields[name] = typeof value === 'string' ? value : JSON.stringify(value);
		}
		return await telegramApiRequest<TgSent>(call.ctx, {
			method: METHOD[kind],
			multipart: async () =>
				buildMultipart(textFields, {
					fieldName: kind,
					fileName: upload.fileName,
					mimeType: upload.mimeType,
					content: await upload.open(),
					size: upload.size,
				}),
			paceChat: request.conversationId,
			itemIndex: call.itemIndex,
			timeoutMs: 10 * 60_000,
		});
	});
	return { ...partsResult('telegram', request.conversationId, sent), kind };
}

export const telegramActions: ChannelActions = {
	sendText,
	sendFile,

	async editText(call, request) {
		const [text, ...more] = telegramTextParts(request.text, request.format);
		if (more.length) {
			throw new NodeOperationError(
				call.ctx.getNode(),
				'The new text is longer than 4096 characters',
				{
					itemIndex: call.itemIndex,
					description: 'An edited message cannot be split; shorten the text.',
				},
			);
		}
		const body: IDataObject = {
			chat_id: request.conversationId,
			message_id: Number(request.messageId),
			text,
		};
		const parseMode = PARSE_MODE[request.format];
		if (parseMode) body.parse_mode = parseMode;
		const markup = replyMarkup(request.buttons);
		if (markup) body.reply_markup = JSON.parse(markup);
		const outcome = await telegramApiRequest<TgSent | boolean>(call.ctx, {
			method: 'editMessageText',
			body,
			idempotent: true,
			itemIndex: call.itemIndex,
		}).then(
			(edited) => ({ edited, error: undefined }),
			(error: unknown) => ({ edited: undefined, error }),
		);
		const done = {
			channel: 'telegram',
			conversationId: request.conversationId,
			messageId: request.messageId,
		};
		if (outcome.error === undefined)
			return { ...done, edited: true, raw: outcome.edited as IDataObject };
		// the text is already what was asked for: an earlier attempt went through
		if (
			outcome.error instanceof NodeApiError &&
			/message is not modified/i.test(outcome.error.message)
		) {
			return { ...done, edited: false };
		}
		throw outcome.error;
	},

	async deleteMessage(call, request) {
		await telegramApiRequest(call.ctx, {
			method: 'deleteMessage',
			body: { chat_id: request.conversationId, message_id: Number(request.messageId) },
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return {
			channel: 'telegram',
			conversationId: request.conversationId,
			messageId: request.messageId,
			deleted: true,
		};
	},

	/** One of Telegram's reaction emoji (written without the emoji variation selector), or none. */
	async sendReaction(call, request) {
		const emoji = request.emoji.replace(/\uFE0F/g, '');
		await telegramApiRequest(call.ctx, {
			method: 'setMessageReaction',
			body: {
				chat_id: request.conversationId,
				message_id: Number(request.messageId),
				reaction: emoji ? [{ type: 'emoji', emoji }] : [],
			},
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return {
			channel: 'telegram',
			conversationId: request.conversationId,
			messageId: request.messageId,
			emoji,
			sent: true,
		};
	},

	async sendAction(call, request) {
		await telegramApiRequest(call.ctx, {
			method: 'sendChatAction',
			body: { chat_id: request.conversationId, action: request.action },
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return {
			channel: 'telegram',
			conversationId: request.conversationId,
			action: request.action,
			sent: true,
		};
	},

	async answerCallback(call, request) {
		await telegramApiRequest(call.ctx, {
			method: 'answerCallbackQuery',
			body: {
				callback_query_id: request.callbackId,
				...(request.text ? { text: request.text } : {}),
				...(request.showAlert ? { show_alert: true } : {}),
			},
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return { channel: 'telegram', callbackId: request.callbackId, answered: true };
	},
};

export { escapeHtml };
