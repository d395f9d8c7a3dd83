/**
 * The wait message of Send and Wait for Response in TeamSpirit, and the one-answer rule on it.
 *
 *   posted:   externalKey wait:<executionId>:<nodeId>      the links to answer are its last line
 *   answered: externalKey answered:<executionId>:<nodeId>  its last line is the outcome
 *
 * The move from `wait:` to `answered:` is one conditional PATCH (If-Match on the message's
 * version) that also replaces the links with the outcome: of two answers at once TeamSpirit takes
 * one, the other gets 412, reads the message again and sees it answered. Nothing of this is in
 * process memory, so it holds across processes, restarts and queue mode.
 */
import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import { plainToMarkdown } from '../../../shared/markdown';
import type { AnswerLink } from '../../../shared/sendAndWait/links';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { segment } from '../../../shared/teamspirit/utils';

type Context = IExecuteFunctions | IWebhookFunctions;

export const waitKey = (ctx: Context) => `wait:${ctx.getExecutionId()}:${ctx.getNode().id}`;
export const answeredKey = (ctx: Context) => `answered:${ctx.getExecutionId()}:${ctx.getNode().id}`;

/**
 * The message as posted: the text, a blank line, the links (one line, TeamSpirit markdown), or
 * instead of them what to reply (Answer Only by Reply).
 */
export function waitText(message: string, links: AnswerLink[] | string): string {
	const line =
		typeof links === 'string'
			? plainToMarkdown(links)
			: links
					.map((link) => `[${plainToMarkdown(link.label.replace(/\s+/g, ' '))}](${link.url})`)
					.join(' · ');
	return `${message.trimEnd()}\n\n${line}`;
}

/** The text once answered: the links (the last line) replaced by the outcome. */
function answeredText(text: string, outcome: string): string {
	const cut = text.lastIndexOf('\n\n');
	return `${cut >= 0 ? text.slice(0, cut) : ''}\n\n${outcome}`.replace(/^\n\n/, '');
}

/** The outcome line of an answered message. */
const outcomeOf = (message: IDataObject | undefined) =>
	(
		String(message?.text ?? '')
			.split('\n')
			.pop() ?? ''
	).replace(/\\([!-/:-@[-`{-~])/g, '$1');

/** Posts the wait message; a repeat (a retry) returns the one already posted with the key. */
export async function postWaitMessage(
	ctx: IExecuteFunctions,
	chatId: string,
	text: string,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body: { text, format: 'markdown', externalKey: waitKey(ctx) },
		idempotent: true,
		itemIndex: 0,
	});
}

async function byKey(
	ctx: Context,
	chatId: string,
	externalKey: string,
): Promise<IDataObject | undefined> {
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { externalKey, limit: 1 },
	});
	return ((page.items ?? []) as IDataObject[])[0];
}

/** The wait message while it is open; undefined once answered (or deleted). */
async function openWaitMessage(ctx: Context, chatId: string): Promise<IDataObject | undefined> {
	return await byKey(ctx, chatId, waitKey(ctx));
}

/** How the wait message was answered ('' when it is gone), or undefined while it is open. */
export async function waitOutcome(ctx: Context, chatId: string): Promise<string | undefined> {
	if (await openWaitMessage(ctx, chatId)) return undefined;
	return outcomeOf(await byKey(ctx, chatId, answeredKey(ctx)));
}

/**
 * After a 412: the message as this claim would have written it (this wait's `answered:` key, the
 * links replaced by exactly this outcome), or undefined. Then the PATCH was taken and only its
 * answer was lost: the claim is won. Should an equal answer have taken it at the same moment, both
 * resume, and n8n resumes a waiting execution once (active-executions.js, `requireStatus`).
 */
async function ownClaim(
	ctx: Context,
	chatId: string,
	open: IDataObject,
	outcome: string,
): Promise<IDataObject | undefined> {
	const now = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages/${segment(String(open.id))}`,
		expectStatuses: [404],
	});
	if (now.statusCode === 404) return undefined;
	const key = String(now.externalKey ?? '');
	const ours = key === answeredKey(ctx) || key === `${answeredKey(ctx)}:${String(open.id)}`;
	const text = answeredText(String(open.text ?? ''), plainToMarkdown(outcome));
	return ours && now.text === text ? now : undefined;
}

export type ClaimOutcome = { won: true; message: IDataObject } | { won: false; outcome: string };

/**
 * Claims the wait message for an answer: the conditional PATCH that moves its key to `answered:`
 * and shows `outcome` instead of the links. Lost: the outcome of the answer that counts.
 */
export async function claimWaitMessage(
	ctx: Context,
	chatId: string,
	outcome: string,
): Promise<ClaimOutcome> {
	for (let attempt = 0; attempt < 5; attempt++) {
		const open = await openWaitMessage(ctx, chatId);
		if (!open) return { won: false, outcome: (await waitOutcome(ctx, chatId)) ?? '' };
		const patch = async (externalKey: string) =>
			await teamSpiritApiRequest.call(ctx, {
				method: 'PATCH',
				path: `/chats/${segment(chatId)}/messages/${segment(String(open.id))}`,
				body: {
					externalKey,
					text: answeredText(String(open.text ?? ''), plainToMarkdown(outcome)),
					format: 'markdown',
				},
				ifMatch: Number(open.version),
				expectStatuses: [409, 412],
			});
		let answer = await patch(answeredKey(ctx));
		// a loop ran the node again in this execution: the earlier wait message has the key
		if (answer.statusCode === 409) answer = await patch(`${answeredKey(ctx)}:${String(open.id)}`);
		if (answer.statusCode === undefined) return { won: true, message: answer };
		// 412: changed since read (another answer took it, or an edit), or this very PATCH was
		// taken and its answer lost (the transport repeated it): read again
		const mine = await ownClaim(ctx, chatId, open, outcome);
		if (mine) return { won: true, message: mine };
	}
	return { won: false, outcome: (await waitOutcome(ctx, chatId)) ?? '' };
}
