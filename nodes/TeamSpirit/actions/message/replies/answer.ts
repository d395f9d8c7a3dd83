/**
 * What a reply to the wait message answers, if anything: its sender must be allowed
 * (`senders.ts`) and its text must answer the Response Type (`words.ts`). What does not answer
 * gets a notice reply saying why (`notices.ts`), and no answer.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { postNotice, type NoticeKind } from './notices';
import { mayAnswer, parseApprovers, readUser, whoMayAnswer, type ReplyAuthor } from './senders';
import { approvalFromText, approvalHint } from './words';
import type { Answer } from '../../../../shared/sendAndWait/answer';
import { approvalLabels, responseTypeOf } from '../../../../shared/sendAndWait/links';

/** A reply to the wait message, as read from the REST API. */
export interface WaitReply {
	chatId: string;
	id: string;
	senderId: string;
	text: string;
	/** The wait message was answered already (its key is `answered:`). */
	answered: boolean;
}

export interface ReplyAnswer {
	/** undefined: the text does not answer (a notice says so, unless the request is answered). */
	answer?: Answer;
	by: ReplyAuthor;
}

/** The answer the text gives for the node's Response Type, or the notice that says why not. */
function answerOfText(ctx: IWebhookFunctions, text: string): Answer | [NoticeKind, string] {
	const type = responseTypeOf(ctx);
	if (type === 'customForm') {
		return ['form', 'This request is answered with a form: open the link in the request.'];
	}
	if (type === 'freeText') {
		const answer = text.trim();
		return answer
			? { kind: 'freeText', text: answer }
			: ['empty', 'Reply with your answer as text.'];
	}
	const { double, approve, decline } = approvalLabels(ctx);
	const words = {
		approveLabel: approve,
		disapproveLabel: decline,
		approvalType: double ? 'double' : 'single',
	} as const;
	const approved = approvalFromText(text, words);
	return approved === undefined
		? ['notUnderstood', approvalHint(words)]
		: { kind: 'approval', approved };
}

/**
 * The reply's sender and answer; undefined when the sender may not answer (after a notice naming
 * who may). A reply that does not answer gets its notice here only while the request is open.
 */
export async function replyAnswer(
	ctx: IWebhookFunctions,
	reply: WaitReply,
	botId: string,
): Promise<ReplyAnswer | undefined> {
	const by = await readUser(ctx, reply.senderId);
	const approvers = parseApprovers(ctx.getNodeParameter('options.approvers', ''));
	if (!(await mayAnswer(ctx, reply.chatId, by, approvers, botId))) {
		const who = await whoMayAnswer(ctx, approvers, botId);
		const text = `Only ${who} may answer this request: your reply was not counted.`;
		await postNotice(ctx, reply.chatId, reply.id, 'notAllowed', text);
		return undefined;
	}
	const answer = answerOfText(ctx, reply.text);
	if (!Array.isArray(answer)) return { answer, by };
	if (!reply.answered) await postNotice(ctx, reply.chatId, reply.id, answer[0], answer[1]);
	return { by };
}
