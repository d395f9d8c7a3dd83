/**
 * An operator edited or deleted a message (outbound.ts): what reached the customer changes there
 * too, when the channel can; otherwise a notice says the customer still sees the original. A sent
 * message edited into a command or a private note is not changed there (a notice says so); an
 * edit of a command (`command:<id>`, never sent) sends nothing.
 */
import type { IDataObject } from 'n8n-workflow';

import { settled, type ClaimContext } from './claims';
import { keyState } from './keys';
import { notice, refusal, skipped } from './notices';
import {
	sendContext,
	type Conversation,
	type Outbound,
	type OperatorEvent,
} from './outboundContext';
import { outgoingText, takeBack } from './send';

/** What the change applies to: the message as it is now and the channel messages it became. */
type Target = { message: IDataObject; channelMessageIds: string[] } | { result: IDataObject };

export async function changeSent(
	o: Outbound,
	c: Conversation,
	ev: OperatorEvent,
	claims: (messageId: string) => ClaimContext,
	isCommand: (message: IDataObject) => Promise<boolean>,
): Promise<IDataObject> {
	const edit = ev.event === 'message.updated';
	const messageId = String(ev.message.id);
	const base = { chatId: o.chatId, messageId, conversationId: c.conversationId };
	const target = edit
		? await editTarget(o, base, claims(messageId))
		: deleteTarget(c, ev.message as IDataObject, base);
	if ('result' in target) return target.result;
	const { message: current, channelMessageIds } = target;
	// only what reached the customer can change there; the bridge's own posts carry other keys
	if (!channelMessageIds.length) return skipped('the message was not sent to the customer', base);
	const editedAt = String(current.editedAt ?? '');
	const what = edit ? `edited:${editedAt}` : 'deleted';
	if (edit && (await isCommand(current))) {
		// a command or a private note is never sent, also not by editing a sent message into one
		await notice(
			o,
			messageId,
			what,
			'Not changed for the customer: a command or a private note is never sent. The customer ' +
				'keeps the earlier text.',
		);
		return { action: 'notice', ...base, reason: 'edited into a command or a private note' };
	}
	const action = edit ? o.adapter.actions.editText : o.adapter.actions.deleteMessage;
	if (typeof action !== 'function') {
		const why = o.adapter.unavailable?.[edit ? 'editText' : 'deleteMessage'] ?? '';
		const still = edit ? 'original' : 'message';
		await notice(
			o,
			messageId,
			what,
			`${o.adapter.displayName}: the customer still sees the ${still}. ${why}`.trim(),
		);
		return { action: 'notice', ...base, reason: why };
	}
	const send = sendContext(o, c, messageId, ev.event, editedAt);
	try {
		if (edit) await editOnChannel(o, c, send, current, channelMessageIds[0]);
		else await takeBack(o, c, send, channelMessageIds);
	} catch (error) {
		const failed = edit ? `edit-failed:${editedAt}` : 'delete-failed';
		const not = `Not ${edit ? 'changed' : 'deleted'} for the customer: ${refusal(error)}`;
		await notice(o, messageId, failed, not);
		return { action: 'notice', ...base, error: refusal(error) };
	}
	return edit
		? { action: 'edited', ...base, channelMessageId: channelMessageIds[0] }
		: { action: 'deleted', ...base, channelMessageIds };
}

/** An edit: what TeamSpirit holds now, after a send still running elsewhere has ended. */
async function editTarget(o: Outbound, base: IDataObject, claim: ClaimContext): Promise<Target> {
	const found = await settled(claim);
	if (!found) {
		return { result: skipped('the message was deleted before its edit was sent', base) };
	}
	if (found.state.kind === 'uncertain') {
		await notice(
			o,
			claim.messageId,
			`edited:${String(found.message.editedAt ?? '')}`,
			'Not changed for the customer: the message may not have reached them.',
		);
		return {
			result: { action: 'notice', ...base, reason: 'the message may not have been sent' },
		};
	}
	const channelMessageIds = found.state.kind === 'sent' ? found.state.channelMessageIds : [];
	return { message: found.message, channelMessageIds };
}

/** A delete: the message as it was deleted (the delivery carries its last key). */
function deleteTarget(c: Conversation, message: IDataObject, base: IDataObject): Target {
	const state = keyState(message.externalKey, c.key, String(message.id));
	if (state.kind === 'claimed') {
		// deleted while being sent: the sending execution sees the deletion before its next part
		// and when it records the message, and takes back what it sent
		return {
			result: skipped('deleted while being sent: the sending execution takes it back', base),
		};
	}
	const channelMessageIds = state.kind === 'sent' ? state.channelMessageIds : [];
	return { message, channelMessageIds };
}

async function editOnChannel(
	o: Outbound,
	c: Conversation,
	send: ReturnType<typeof sendContext>,
	message: IDataObject,
	channelMessageId: string,
): Promise<void> {
	const { text, format } = await outgoingText(o, message);
	await o.channel(
		async () =>
			await o.adapter.actions.editText!(send, {
				conversationId: c.conversationId,
				messageId: channelMessageId,
				text,
				format,
			}),
	);
}
