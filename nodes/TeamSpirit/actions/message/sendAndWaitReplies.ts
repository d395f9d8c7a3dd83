/**
 * Answers to Send and Wait for Response given as a reply to the wait message in TeamSpirit
 * (option Accept Replies in TeamSpirit). The wait registers an outgoing webhook for its chat whose
 * URL is the node's signed resume URL (`replies/registration.ts`); each delivery reaches the node's
 * `webhook()`, which hands it here. A delivery is a hint, never the answer: the message is read
 * back through the REST API, and only a reply to this wait's message from someone allowed
 * (`replies/senders.ts`) is claimed as the answer, with the same conditional claim as the links
 * (`waitMessage.ts`). Every delivery is answered 2xx; a refused reply gets a notice in the chat
 * (`replies/notices.ts`).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { postNotice } from './replies/notices';
import { VIA_TEAMSPIRIT, register, sweepEnded, unregister } from './replies/registration';
import { replyAnswer, type WaitReply } from './replies/answer';
import { replyInstruction } from './replies/words';
import {
	answeredKey,
	claimWaitMessage,
	waitKey,
	waitOutcome,
	type ClaimOutcome,
} from './waitMessage';
import { answerJson, outcomeText } from '../../../shared/sendAndWait/answer';
import {
	answerLinks,
	approvalLabels,
	responseTypeOf,
	type AnswerLink,
} from '../../../shared/sendAndWait/links';
import { waitTillDate } from '../../../shared/sendAndWait/waitTill';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { segment } from '../../../shared/teamspirit/utils';

/** The options this adds to Send and Wait for Response (in its Options collections). */
export const replyOptions: INodeProperties[] = [
	{
		displayName: 'Accept Replies in TeamSpirit',
		name: 'acceptReplies',
		type: 'boolean',
		default: false,
		description:
			'Whether a reply to the message in TeamSpirit also answers it (Approval: the Approve label, ' +
			'yes, ok, 👍 or the Decline label, no, 👎; Free Text: the text of the reply). The first ' +
			"answer counts, by reply or by link. TeamSpirit must reach n8n's webhook URL.",
	},
	{
		displayName: 'Approvers',
		name: 'approvers',
		type: 'string',
		default: '',
		placeholder: 'e.g. anna, u_19b2c3d4e5f6',
		description:
			'With Accept Replies in TeamSpirit: who may answer by reply, as usernames or user IDs ' +
			'(comma-separated, or a list from an expression). Empty: any member of the chat. The bot ' +
			'itself never answers. The links are not restricted: anyone who can read the message can ' +
			'click them; turn on Answer Only by Reply so that only these people can answer.',
	},
	{
		displayName: 'Answer Only by Reply',
		name: 'onlyByReply',
		type: 'boolean',
		default: false,
		description:
			'Whether the message carries no links, only what to reply (with Accept Replies in ' +
			'TeamSpirit), so that only a reply answers and Approvers decides who may. Not for Custom ' +
			'Form: a form is answered by its link.',
	},
];

const option = (ctx: IExecuteFunctions, name: string) =>
	ctx.getNodeParameter(`options.${name}`, 0, false) === true;

/**
 * The last line of the wait message: the links, or with Answer Only by Reply what to reply.
 * Answer Only by Reply needs Accept Replies and is no way to answer a custom form: an error then.
 */
export function answerLine(ctx: IExecuteFunctions): AnswerLink[] | string {
	if (!option(ctx, 'onlyByReply')) return answerLinks(ctx);
	const fail = (message: string) => {
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex: 0 });
	};
	if (!option(ctx, 'acceptReplies')) {
		fail('Answer Only by Reply needs Accept Replies in TeamSpirit: turn it on, or this one off');
	}
	const type = responseTypeOf(ctx);
	if (type === 'customForm') {
		fail(
			'Answer Only by Reply does not work with Custom Form: a form is answered by its link. ' +
				'Choose Approval or Free Text, or turn Answer Only by Reply off',
		);
	}
	if (type === 'freeText') return replyInstruction(undefined);
	const { double, approve, decline } = approvalLabels(ctx);
	const oneLine = (label: string) => label.replace(/\s+/g, ' ');
	return replyInstruction({
		approveLabel: oneLine(approve),
		disapproveLabel: oneLine(decline),
		approvalType: double ? 'double' : 'single',
	});
}

/** The wait message just posted. */
export interface WaitMessage {
	chatId: string;
	messageId: string;
}

/**
 * Whether the request is for the replies: a TeamSpirit delivery, or anything sent to the
 * registration's URL (`via=teamspirit`). Such a request never answers from its own content.
 */
export function isTeamSpiritDelivery(ctx: IWebhookFunctions): boolean {
	return (
		ctx.getHeaderData()['x-teamspirit-event'] !== undefined ||
		(ctx.getQueryData() as IDataObject).via === VIA_TEAMSPIRIT
	);
}

const acceptsReplies = (ctx: IExecuteFunctions | IWebhookFunctions) =>
	('getInputData' in ctx
		? ctx.getNodeParameter('options.acceptReplies', 0, false)
		: ctx.getNodeParameter('options.acceptReplies', false)) === true;

/**
 * After the wait message is posted: sweeps the bot's registrations of waits that have ended or were
 * answered by a link, then,
 * with Accept Replies in TeamSpirit, registers this wait's (until the end of its wait).
 */
export async function registerReplies(ctx: IExecuteFunctions, wait: WaitMessage): Promise<void> {
	try {
		await sweepEnded(ctx);
	} catch (error) {
		// housekeeping: a wait does not fail on it (the next run sweeps again)
		ctx.logger.warn(`TeamSpirit: could not sweep ended reply registrations: ${String(error)}`);
	}
	if (!acceptsReplies(ctx)) return;
	const waitTill = waitTillDate(ctx);
	await register(
		ctx,
		wait.chatId,
		waitTill.getTime() >= WAIT_INDEFINITELY.getTime() ? undefined : waitTill,
	);
}

/**
 * Handles one delivery: resumes the execution with the answer when it is an accepted reply,
 * otherwise answers 200 (after a notice in the chat where a reply was refused) and keeps waiting.
 * When TeamSpirit cannot be read (after the transport's retries) it answers 503, so TeamSpirit
 * delivers again later: an error thrown here would end the waiting execution.
 */
export async function answerFromReply(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	try {
		const data = await answerOf(ctx);
		res.status(200).json({ received: true });
		if (!data) return { noWebhookResponse: true };
		await unregister(ctx).catch((error: unknown) =>
			ctx.logger.warn(`TeamSpirit: could not delete the reply registration: ${String(error)}`),
		);
		return { noWebhookResponse: true, workflowData: [[{ json: data }]] };
	} catch (error) {
		ctx.logger.warn(
			`TeamSpirit: a reply could not be handled, TeamSpirit will deliver it again: ${String(error)}`,
		);
		if (!res.headersSent) res.status(503).json({ retry: true });
		return { noWebhookResponse: true };
	}
}

const chatOf = (ctx: IWebhookFunctions) =>
	String(ctx.getNodeParameter('chatId', '', { extractValue: true }) ?? '').trim();

/** The answer of the delivered reply, claimed for this wait; undefined when it gives none. */
async function answerOf(ctx: IWebhookFunctions): Promise<IDataObject | undefined> {
	if (String(ctx.getRequestObject().method).toUpperCase() !== 'POST') return undefined;
	if (!acceptsReplies(ctx)) return undefined;
	const chatId = chatOf(ctx);
	const reply = chatId ? await replyToWait(ctx, chatId) : undefined;
	if (!reply) return undefined;
	const me = await teamSpiritApiRequest.call(ctx, { method: 'GET', path: '/me' });
	if (reply.senderId === me.id) return undefined;
	const replied = await replyAnswer(ctx, reply, String(me.id));
	if (!replied) return undefined;
	const { answer, by } = replied;
	if (!answer && !reply.answered) return undefined;
	const mine = answer ? outcomeText(answer, by.name || by.username) : undefined;
	const settled: ClaimOutcome =
		reply.answered || mine === undefined
			? { won: false, outcome: (await waitOutcome(ctx, chatId)) ?? '' }
			: await claimWaitMessage(ctx, chatId, mine);
	// The wait message shows this very answer by this person: this reply's own claim, whose
	// execution did not go on (the PATCH's answer was lost, or n8n died before resuming), or a
	// redelivery at the same moment. Resume: n8n resumes a waiting execution once
	// (active-executions.js, `requireStatus: 'waiting'`).
	if (answer && (settled.won || settled.outcome === mine)) {
		return answerJson(answer, { by: { ...by }, via: VIA_TEAMSPIRIT });
	}
	if (!settled.won) await alreadyAnswered(ctx, reply, settled.outcome);
	return undefined;
}

/** The notice for a reply after the answer that counts. */
async function alreadyAnswered(
	ctx: IWebhookFunctions,
	reply: WaitReply,
	outcome: string,
): Promise<void> {
	const text = outcome
		? `This request was already answered: ${outcome}. Your reply was not counted.`
		: 'This request was already answered. Your reply was not counted.';
	await postNotice(ctx, reply.chatId, reply.id, 'answered', text);
}

type Message = Omit<WaitReply, 'answered'> & {
	replyToId: string | null;
	externalKey: string | null;
};

async function readMessage(
	ctx: IWebhookFunctions,
	chatId: string,
	id: string,
): Promise<Message | undefined> {
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages/${segment(id)}`,
		expectStatuses: [404],
	});
	return answer.statusCode === 404 ? undefined : (answer as unknown as Message);
}

/**
 * The delivered message, read back from TeamSpirit, when it is a reply to this wait's message
 * (open or answered); undefined otherwise. The delivery only names the message.
 */
async function replyToWait(ctx: IWebhookFunctions, chatId: string): Promise<WaitReply | undefined> {
	const body = (ctx.getBodyData() ?? {}) as IDataObject;
	const hint = (body.data ?? {}) as IDataObject;
	if (body.event !== 'message.created' || typeof hint.id !== 'string') return undefined;
	if (hint.chatId !== undefined && hint.chatId !== chatId) return undefined;
	const message = await readMessage(ctx, chatId, hint.id);
	if (!message?.replyToId) return undefined;
	const target = await readMessage(ctx, chatId, message.replyToId);
	const key = target?.externalKey ?? '';
	// answered:…:<message id>: the node ran again in this execution (a loop), see waitMessage.ts
	const answered = key === answeredKey(ctx) || key.startsWith(`${answeredKey(ctx)}:`);
	if (key !== waitKey(ctx) && !answered) return undefined;
	const { id, senderId, text } = message;
	return { chatId, id, senderId, text: String(text ?? ''), answered };
}
