/**
 * The bot's answers in TeamSpirit to replies that did not answer the request (not allowed, not
 * understood, already answered, a form): a reply to that reply, posted at most once per reply
 * message. The message's `externalKey` is derived from the reply's id, so a redelivery of the same
 * reply (or a second process handling it) finds the notice already there and posts nothing.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { teamSpiritApiRequest } from '../../../../shared/teamspirit/transport';
import { segment } from '../../../../shared/teamspirit/utils';

export type NoticeKind = 'notAllowed' | 'notUnderstood' | 'answered' | 'form' | 'empty';

/** The one key of every notice about reply `replyId` (so a reply gets one notice, ever). */
const noticeKey = (replyId: string) => `wait-notice:${replyId}`;

export async function postNotice(
	ctx: IWebhookFunctions,
	chatId: string,
	replyId: string,
	kind: NoticeKind,
	text: string,
): Promise<void> {
	await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body: {
			text: `ℹ️ ${text}`,
			format: 'plain',
			replyToId: replyId,
			externalKey: noticeKey(replyId),
		},
		// per kind: the same key with another text would be refused; the externalKey keeps it to one
		idempotencyKey: `${noticeKey(replyId)}:${kind}`,
	});
}
