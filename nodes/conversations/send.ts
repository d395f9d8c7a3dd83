/**
 * Sending one claimed operator message to the customer (outbound.ts claims it): its text, then
 * its files (a link or an upload, as the channel takes them), renewing the claim before each file;
 * then its key records what it became (keys.ts). Deleted meanwhile: what was sent is taken back.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChannelAdapter, SendContext, SendResult } from '../channels/types';
import { plainToMarkdown } from '../shared/markdown';
import { channelMessageIdOf, messageKey, uncertainKey, unsentKey } from './keys';
import type { Claim } from './claims';
import { notice, refusal } from './notices';
import { sendContext, type Conversation, type Outbound } from './outboundContext';
import { fileLink, fileSource, getMessage, userName } from './teamspirit';
import { outcomeOf } from '../shared/outcome';

/** What the parts of a message did: the channel ids sent, how it failed, whether it was deleted. */
interface Sent {
	sentIds: string[];
	failure?: unknown;
	withdrawn: boolean;
}

export async function sendClaimed(
	o: Outbound,
	c: Conversation,
	message: IDataObject,
	claim: Claim,
): Promise<IDataObject> {
	const messageId = String(message.id);
	const send = sendContext(o, c, messageId, 'message.created');
	const sent = await sendParts(o, c, message, claim, send);
	if (!sent.withdrawn) sent.withdrawn = !(await record(claim, c, messageId, sent));
	return await outcome(o, c, messageId, send, sent);
}

/** The text, then each file; stops at a failure or when the message was deleted meanwhile. */
async function sendParts(
	o: Outbound,
	c: Conversation,
	message: IDataObject,
	claim: Claim,
	send: SendContext,
): Promise<Sent> {
	const sent: Sent = { sentIds: [], withdrawn: false };
	const replyToMessageId = await replyTarget(o, c, message);
	const files = Array.isArray(message.files) ? (message.files as IDataObject[]) : [];
	const { text, format } = await outgoingText(o, message);
	try {
		if (text.trim()) {
			const result = await o.channel(
				async () =>
					await o.adapter.actions.sendText(
						{ ...send, acceptKey: `${send.acceptKey}:text` },
						{ conversationId: c.conversationId, text, format, replyToMessageId },
					),
			);
			sent.sentIds.push(...result.messageIds);
		}
		for (const [index, file] of files.entries()) {
			// the operator may have deleted it meanwhile: then nothing more is sent
			if (!(await claim.renew())) return { ...sent, withdrawn: true };
			const replyTo = sent.sentIds.length ? undefined : replyToMessageId;
			const part = { ...send, acceptKey: `${send.acceptKey}:file:${index}` };
			const result = await sendFile(o, c, file, part, replyTo);
			sent.sentIds.push(...result.messageIds);
		}
	} catch (error) {
		const partly = (error as { context?: IDataObject }).context?.sentMessageIds;
		if (Array.isArray(partly)) sent.sentIds.push(...partly.map(String));
		sent.failure = error;
	}
	return sent;
}

async function sendFile(
	o: Outbound,
	c: Conversation,
	file: IDataObject,
	send: SendContext,
	replyToMessageId: string | undefined,
): Promise<SendResult> {
	const source =
		o.adapter.conversation.files === 'link'
			? {
					type: 'url' as const,
					url: await o.ts(
						async () => await fileLink(o.ctx, o.itemIndex, String(file.id), o.options.linkSeconds),
					),
				}
			: { type: 'binary' as const, upload: fileSource(o.ctx, o.itemIndex, file) };
	return await o.channel(
		async () =>
			await o.adapter.actions.sendFile(send, {
				conversationId: c.conversationId,
				kind: 'auto',
				source,
				format: 'plain',
				replyToMessageId,
			}),
	);
}

/** The channel message the operator's message replies to, when it reached the customer. */
async function replyTarget(
	o: Outbound,
	c: Conversation,
	message: IDataObject,
): Promise<string | undefined> {
	if (!message.replyToId) return undefined;
	try {
		const original = await o.ts(
			async () => await getMessage(o.ctx, o.itemIndex, o.chatId, String(message.replyToId)),
		);
		return channelMessageIdOf(original.externalKey, c.key);
	} catch {
		return undefined;
	}
}

/**
 * Records what the message became (replies, edits and deletes find it by this key); certainly not
 * sent: `unsent` (a retried execution may try again); the answer lost: `pending:<id>` (it may have
 * arrived, and no one waits for the claim to lapse before saying so). False: deleted meanwhile.
 */
async function record(
	claim: Claim,
	c: Conversation,
	messageId: string,
	sent: Sent,
): Promise<boolean> {
	if (sent.sentIds.length) return await claim.record(messageKey(c.key, sent.sentIds));
	if (!sent.failure) return true;
	const unknown = outcomeOf(sent.failure) === 'unknown';
	return await claim.record(unknown ? uncertainKey(messageId) : unsentKey(messageId));
}

/** The result, after taking back what was sent of a deleted message, or noticing a failure. */
async function outcome(
	o: Outbound,
	c: Conversation,
	messageId: string,
	send: SendContext,
	{ sentIds, failure, withdrawn }: Sent,
): Promise<IDataObject> {
	const base = { chatId: o.chatId, messageId, conversationId: c.conversationId };
	if (withdrawn) {
		// deleted in TeamSpirit while it was being sent: take back what reached the customer
		try {
			await takeBack(o, c, send, sentIds);
		} catch (error) {
			await notice(
				o,
				messageId,
				'delete-failed',
				`Deleted here while it was being sent, but not deleted for the customer: ${refusal(error)}`,
			);
			return { action: 'notice', ...base, error: refusal(error) };
		}
		return { action: 'deleted', ...base, channelMessageIds: sentIds };
	}
	if (!failure) return { action: 'sent', ...base, channelMessageIds: sentIds };
	const what = sentIds.length ? 'Only partly delivered' : 'Not delivered';
	const unsure =
		outcomeOf(failure) === 'unknown'
			? ' The answer was lost: the customer may have it; it is not sent again.'
			: '';
	await notice(o, messageId, 'created', `${what} to the customer: ${refusal(failure)}${unsure}`);
	return { action: 'notice', ...base, sentMessageIds: sentIds, error: refusal(failure) };
}

/** Deletes every part an operator message became on the channel. */
export async function takeBack(
	o: Outbound,
	c: Conversation,
	send: SendContext,
	channelMessageIds: string[],
): Promise<void> {
	const remove = o.adapter.actions.deleteMessage;
	if (typeof remove !== 'function' || !channelMessageIds.length) return;
	for (const id of channelMessageIds) {
		await o.channel(
			async () => await remove(send, { conversationId: c.conversationId, messageId: id }),
		);
	}
}

/** The operator's text in the channel's format, signed when asked. */
export async function outgoingText(
	o: Outbound,
	message: IDataObject,
): Promise<ReturnType<ChannelAdapter['conversation']['fromMarkdown']>> {
	let markdown =
		message.format === 'markdown'
			? String(message.text ?? '')
			: plainToMarkdown(String(message.text ?? ''));
	if (o.options.signature && message.senderId) {
		const name = await userName(o.ctx, o.itemIndex, String(message.senderId));
		if (name) {
			markdown = markdown.trim() ? `**${plainToMarkdown(name)}:**\n${markdown}` : markdown;
		}
	}
	return o.adapter.conversation.fromMarkdown(markdown);
}
