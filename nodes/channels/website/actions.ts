/**
 * What the Chat Channel node can do on the Website channel: everything goes into the visitor's
 * transcript (./transcript.ts), which is what the widget shows. Text (plain, split above 4000
 * characters), files (uploaded to TeamSpirit and attached; a URL is sent as a link; a TeamSpirit
 * file id is attached as it is), edits and deletes of messages sent to the visitor, typing. Every
 * message is posted under a key of its send and part, so a retried send posts once.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../../shared/errors';

import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
} from '../types';
import {
	authorOf,
	deleteTranscriptMessage,
	ensureTranscript,
	findTranscript,
	knownTranscriptId,
	outKey,
	patchTranscriptMessage,
	postToTranscript,
	readTranscriptMessage,
	uploadToTeamSpirit,
	messageByKey,
	type TranscriptMessage,
} from './transcript';
import { WEBSITE_LIMITS } from './transport';
import { operatorTyping } from './typing';

/**
 * The transcript to send to: the one this process knows, else found or created (a visitor who
 * wrote has one; the visitor id is random, so a new transcript is seen only by its visitor).
 * A known chat that is gone (404/403) is found or created again, once.
 */
async function sendInTranscript<T>(
	call: SendContext,
	visitorId: string,
	send: (chatId: string) => Promise<T>,
): Promise<T> {
	const known = await knownTranscriptId(call.ctx, visitorId, call.itemIndex);
	if (known) {
		try {
			return await send(known);
		} catch (error) {
			if (!chatGone(error)) throw withItemIndex(call.ctx.getNode(), error, call.itemIndex);
		}
	}
	const chat = await ensureTranscript(call.ctx, visitorId, {}, call.itemIndex);
	return await send(chat.id);
}

const chatGone = (error: unknown) =>
	[403, 404].includes(Number((error as { httpCode?: string }).httpCode));

const accepted = (message: TranscriptMessage): AcceptedPart => ({
	messageId: message.id,
	timestamp: message.createdAt,
	raw: message,
});

function textParts(text: string, format: SendTextRequest['format']): string[] {
	return splitText(toLightMarkup(text, format), WEBSITE_LIMITS.maxTextLength);
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	const parts = textParts(request.text, request.format);
	const sent = await sendInTranscript(call, request.conversationId, async (chatId) =>
		sendParts(call, parts.length, async (index) =>
			accepted(
				await postToTranscript(
					call.ctx,
					chatId,
					{ text: parts[index], externalKey: outKey(call.acceptKey, `text:${index}`) },
					call.itemIndex,
				),
			),
		),
	);
	return partsResult('website', request.conversationId, sent);
}

/**
 * The file part: a binary property uploaded to TeamSpirit (unless a retry finds the message it
 * posted), a TeamSpirit file id attached as it is, a URL sent as a link the widget opens.
 */
async function postFile(
	call: SendContext,
	chatId: string,
	request: SendFileRequest,
	caption: string,
): Promise<TranscriptMessage> {
	const externalKey = outKey(call.acceptKey, 'file');
	const { source } = request;
	if (source.type === 'url') {
		const text = caption ? `${source.url}\n${caption}` : source.url;
		return await postToTranscript(call.ctx, chatId, { text, externalKey }, call.itemIndex);
	}
	const earlier = await messageByKey(call.ctx, chatId, externalKey, call.itemIndex);
	if (earlier) return earlier;
	const fileId =
		source.type === 'fileId'
			? source.fileId
			: (await uploadToTeamSpirit(call.ctx, source.upload, call.itemIndex)).id;
	return await postToTranscript(
		call.ctx,
		chatId,
		{ text: caption, fileIds: [fileId], externalKey },
		call.itemIndex,
	);
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const upload = request.source.type === 'binary' ? request.source.upload : undefined;
	if (upload?.size !== undefined && upload.size > WEBSITE_LIMITS.maxUploadBytes) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${(upload.size / 1024 / 1024).toFixed(1)} MB; TeamSpirit takes files up to 100 MB`,
			{ itemIndex: call.itemIndex, description: 'Send a link to the file instead.' },
		);
	}
	const caption = request.caption?.trim() ? textParts(request.caption, request.format) : [];
	const sent = await sendInTranscript(call, request.conversationId, async (chatId) =>
		sendParts(call, Math.max(1, caption.length), async (index) => {
			if (index === 0) return accepted(await postFile(call, chatId, request, caption[0] ?? ''));
			const externalKey = outKey(call.acceptKey, `caption:${index}`);
			return accepted(
				await postToTranscript(
					call.ctx,
					chatId,
					{ text: caption[index], externalKey },
					call.itemIndex,
				),
			);
		}),
	);
	return partsResult('website', request.conversationId, sent);
}

/** A message sent to the visitor in their transcript; throws for anything else. */
async function agentMessage(
	call: SendContext,
	visitorId: string,
	messageId: string,
): Promise<TranscriptMessage> {
	const chat = await findTranscript(call.ctx, visitorId, call.itemIndex);
	const message = chat
		? await readTranscriptMessage(call.ctx, chat.id, messageId, call.itemIndex)
		: undefined;
	if (!message) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`No message ${messageId} in the conversation with the website visitor ${visitorId}`,
			{
				itemIndex: call.itemIndex,
				description: 'It was deleted, or it belongs to another conversation.',
			},
		);
	}
	if (authorOf(message) !== 'agent') {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`Message ${messageId} was written by the visitor: only messages sent to the visitor can be changed`,
			{ itemIndex: call.itemIndex },
		);
	}
	return message;
}

export const websiteActions: ChannelActions = {
	sendText,
	sendFile,

	async editText(call, request) {
		const message = await agentMessage(call, request.conversationId, request.messageId);
		const [text] = textParts(request.text, request.format);
		const done = {
			channel: 'website',
			conversationId: request.conversationId,
			messageId: request.messageId,
		};
		if (!text?.trim() && !message.files.length) {
			throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
				itemIndex: call.itemIndex,
			});
		}
		if (message.text === text) return { ...done, edited: false };
		const edited = await patchTranscriptMessage(
			call.ctx,
			message.chatId,
			message.id,
			text ?? '',
			call.itemIndex,
		);
		return { ...done, edited: true, raw: edited };
	},

	async deleteMessage(call, request) {
		const message = await agentMessage(call, request.conversationId, request.messageId);
		await deleteTranscriptMessage(call.ctx, message.chatId, message.id, call.itemIndex);
		return {
			channel: 'website',
			conversationId: request.conversationId,
			messageId: request.messageId,
			deleted: true,
		};
	},

	async sendAction(call, request) {
		const done: IDataObject = {
			channel: 'website',
			conversationId: request.conversationId,
			action: request.action,
		};
		// the widget shows every action as typing; "seen" it does not show
		if (request.action === 'mark_seen') return { ...done, sent: false };
		const chat = await findTranscript(call.ctx, request.conversationId, call.itemIndex);
		if (!chat) return { ...done, sent: false };
		await operatorTyping(call.ctx, chat, call.itemIndex);
		return { ...done, action: 'typing', sent: true };
	},
};
