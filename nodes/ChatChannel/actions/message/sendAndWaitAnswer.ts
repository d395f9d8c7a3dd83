/**
 * The answers to Send and Wait for Response (the Chat Channel node's `webhook()`): a customer's
 * link or form (the common flow, nodes/shared/sendAndWait/webhook.ts), or a tap the Chat Channel
 * Trigger relayed (Messenger's quick replies, nodes/channels/waiting.ts): a POST with a JSON body
 * `{ answer, from }`, answered with JSON, never a page. n8n has checked the link's signature first.
 *
 * Exactly one answer counts. Node code cannot reach n8n's deduplication store from a webhook (n8n
 * 2.41 gives `webhook()` no `checkProcessedAndRecord`), so the conditional write is n8n's own: it
 * resumes a waiting execution with one `UPDATE … WHERE status = 'waiting'` (ActiveExecutions.add,
 * `requireStatus`), across processes, and the answer to the request goes out only after that
 * (the node returns it as `webhookResponse` and does not write it itself). A second answer at the
 * same moment gets n8n's error and counts for nothing; a later one n8n's "no action required".
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { answerJson, approvalOf } from '../../../shared/sendAndWait/answer';
import { responseTypeOf } from '../../../shared/sendAndWait/links';
import type { AnswerClaim } from '../../../shared/sendAndWait/webhook';
import { sendAndWaitWebhook } from '../../../shared/sendAndWait/webhook';

/** A tap relayed by the Chat Channel Trigger: a JSON POST (a browser's form posts form data). */
function isRelay(ctx: IWebhookFunctions): boolean {
	const req = ctx.getRequestObject();
	const type = String(req.headers['content-type'] ?? '');
	return String(req.method).toUpperCase() === 'POST' && /^application\/json\b/i.test(type);
}

/** Who answered, as the trigger names the customer (shown, never trusted for anything else). */
function byOf(body: IDataObject): IDataObject | undefined {
	const from = body.from;
	if (!from || typeof from !== 'object') return undefined;
	const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 200) : '');
	const sender = from as IDataObject;
	return {
		channel: text(sender.channel),
		conversationId: text(sender.conversationId),
		id: text(sender.id),
		name: text(sender.name),
	};
}

function relayed(ctx: IWebhookFunctions): IWebhookResponseData {
	const res = ctx.getResponseObject();
	if (responseTypeOf(ctx) !== 'approval') {
		res.status(400).json({ recorded: false, reason: 'This question is answered in a form' });
		return { noWebhookResponse: true };
	}
	const answer = {
		kind: 'approval' as const,
		approved: approvalOf(ctx.getQueryData() as IDataObject),
	};
	const by = byOf((ctx.getBodyData() ?? {}) as IDataObject);
	// n8n sends it once it resumed the execution with this answer (see above)
	return {
		webhookResponse: { recorded: true },
		workflowData: [[{ json: answerJson(answer, by ? { by } : {}) }]],
	};
}

/** n8n's conditional resume is the claim: an open question's answer is taken to n8n. */
const resumeClaim: AnswerClaim = {
	answered: async () => undefined,
	claim: async () => ({ won: true }),
	respondsAfterResume: true,
};

/** The node's `webhook()`. */
export async function answerQuestion(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	if (isRelay(ctx)) return relayed(ctx);
	return await sendAndWaitWebhook(ctx, resumeClaim);
}
