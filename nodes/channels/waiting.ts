/**
 * Send and Wait for Response on the chat channels. How a question with signed links reaches the
 * customer is each adapter's `waitPrompt` (Telegram: link buttons; Messenger: quick replies), or
 * the links as lines of the text where a channel has nothing better (`linksInText`).
 *
 * A channel whose buttons cannot open a link (Messenger's quick replies) carries the signed link
 * in the button's payload (`n8n-wait:` + the link): a tap reaches the Chat Channel Trigger, which
 * relays it to n8n's waiting webhook (`relayAnswer`) and emits nothing for it. It relays only to
 * its own n8n: the same origin as its own webhook URL, the path of n8n's waiting webhooks, a
 * signed link (`relayTarget`). The request is a POST with a JSON body `{ answer, from }`, which
 * the Chat Channel node's `webhook()` tells apart from a browser's, and answers with JSON.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { TIMEOUTS, sendRequest } from '../shared/http';
import type { ChannelAdapter, ChannelSender, WaitPrompt, WaitQuestion } from './types';

/** The payload prefix of a button that answers a waiting execution. */
export const WAIT_PAYLOAD = 'n8n-wait:';

/** n8n's path of waiting webhooks (`N8N_ENDPOINT_WEBHOOK_WAIT`, n8n's default). */
const WAITING_PATH = 'webhook-waiting';

/** The question with its links as lines under the text ("Approve: https://…"). */
export function linksInText(question: WaitQuestion): WaitPrompt {
	const lines = question.links.map((link) => `${link.label}: ${link.url}`);
	return { text: `${question.text.trim()}\n\n${lines.join('\n')}` };
}

/** The question as `adapter` sends it. */
export function promptOf(adapter: ChannelAdapter, question: WaitQuestion): WaitPrompt {
	return adapter.waitPrompt?.(question) ?? linksInText(question);
}

/** The signed link a button's payload carries (`n8n-wait:` + link), or undefined. */
export function relayedLink(payload: string | undefined): string | undefined {
	if (typeof payload !== 'string' || !payload.startsWith(WAIT_PAYLOAD)) return undefined;
	return payload.slice(WAIT_PAYLOAD.length).trim();
}

function urlOf(value: string): URL | undefined {
	try {
		return new URL(value);
	} catch {
		return undefined;
	}
}

/**
 * The link as a relay target: a signed link to n8n's waiting webhook
 * (`<base>/webhook-waiting/<execution>/<node>?…&signature=…`) on the origin and base path of the
 * trigger's own webhook URL (`<base>/<endpoint>/<webhook id>/webhook`). Anything else: undefined.
 */
function relayTarget(link: string, ownWebhookUrl: string): URL | undefined {
	const target = urlOf(link);
	const own = urlOf(ownWebhookUrl);
	if (!target || !own || target.origin !== own.origin) return undefined;
	if (target.username || target.password || target.hash) return undefined;
	const base = own.pathname.split('/').slice(0, -3).join('/');
	const rest = target.pathname.startsWith(`${base}/`)
		? target.pathname.slice(base.length + 1).split('/')
		: [];
	const [endpoint, execution, node] = rest;
	if (rest.length !== 3 || endpoint !== WAITING_PATH) return undefined;
	if (!/^[\w-]+$/.test(execution ?? '') || !/^[\w-]+$/.test(node ?? '')) return undefined;
	if (!target.searchParams.get('signature')) return undefined;
	return target;
}

/**
 * What came of a relayed answer: `recorded` (it counts), `closed` (answered before, expired, or no
 * longer waiting), `refused` (not a link this trigger relays: nothing was sent), `failed` (n8n
 * could not be reached).
 */
export type RelayOutcome = 'recorded' | 'closed' | 'refused' | 'failed';

/** What the customer reads in the chat after a relayed answer (none after a refused one). */
export const RELAY_REPLIES: Record<Exclude<RelayOutcome, 'refused'>, string> = {
	recorded: 'Thanks, your answer was recorded.',
	closed: 'Thanks. This question was already answered or no longer takes answers.',
	failed: 'Sorry, your answer could not be recorded. Please try again later.',
};

/** n8n answers 409 while the execution is still being saved as waiting: tries, a second apart. */
const RELAY_ATTEMPTS = 3;
const RELAY_PAUSE_MS = 1000;

/** Sends a customer's tap on to n8n's waiting webhook; never throws. */
export async function relayAnswer(
	ctx: IWebhookFunctions,
	label: string,
	link: string,
	answer: { text: string; from: ChannelSender & { channel: string; conversationId: string } },
): Promise<RelayOutcome> {
	const target = relayTarget(link, ctx.getNodeWebhookUrl('default') ?? '');
	if (!target) {
		ctx.logger.warn(`${label}: an answer for another host or path was not relayed`);
		return 'refused';
	}
	for (let attempt = 1; ; attempt++) {
		const response = await sendRequest<IDataObject>(ctx, {
			options: {
				method: 'POST',
				url: target.toString(),
				body: { answer: answer.text, from: answer.from as unknown as IDataObject },
				json: true,
				headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			},
			timeoutMs: TIMEOUTS.api,
			retry: { retryServerErrors: false, maxAttempts: 1 },
		});
		if (response.networkError !== undefined) {
			ctx.logger.warn(`${label}: an answer could not be relayed to n8n (no answer)`);
			return 'failed';
		}
		// a tap right after the question: the execution is not saved as waiting yet
		if (response.statusCode === 409 && attempt < RELAY_ATTEMPTS) {
			await sleep(RELAY_PAUSE_MS);
			continue;
		}
		const body = response.body as IDataObject | undefined;
		const ok = response.statusCode >= 200 && response.statusCode < 300;
		return ok && typeof body === 'object' && body?.recorded === true ? 'recorded' : 'closed';
	}
}
