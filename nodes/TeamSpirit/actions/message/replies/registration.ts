/**
 * The outgoing webhook through which TeamSpirit tells a waiting execution about new messages in
 * its chat: one per wait, registered when the request is sent, to the node's signed resume URL
 * (`via=teamspirit`, `until` = when the wait ends, '' for no limit). It is deleted when a reply's
 * answer is accepted. Every Send and Wait run sweeps the bot's other registrations: those whose
 * `until` has passed (a wait that ran out) and those whose wait message is answered (by a link).
 */
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import {
	teamSpiritApiRequest,
	teamSpiritApiRequestAllItems,
} from '../../../../shared/teamspirit/transport';
import { segment } from '../../../../shared/teamspirit/utils';

/** The query parameter that marks a resume URL as TeamSpirit's (and a delivery's URL as ours). */
export const VIA_TEAMSPIRIT = 'teamspirit';

interface Registration {
	id: string;
	url: URL;
	chatIds: string[];
}

async function registrations(ctx: IExecuteFunctions | IWebhookFunctions): Promise<Registration[]> {
	const hooks = await teamSpiritApiRequestAllItems.call(ctx, '/webhooks');
	const ours: Registration[] = [];
	for (const hook of hooks) {
		let url: URL;
		try {
			url = new URL(String(hook.url));
		} catch {
			continue;
		}
		if (url.searchParams.get('via') !== VIA_TEAMSPIRIT) continue;
		const chatIds = Array.isArray(hook.chatIds) ? hook.chatIds.map(String) : [];
		ours.push({ id: String(hook.id), url, chatIds });
	}
	return ours;
}

async function remove(ctx: IExecuteFunctions | IWebhookFunctions, id: string): Promise<void> {
	// another process may have removed it just now: 404 is what we wanted
	await teamSpiritApiRequest.call(ctx, {
		method: 'DELETE',
		path: `/webhooks/${segment(id)}`,
		expectStatuses: [404],
	});
}

/** Whether the wait of a registration has ended: its `until` has passed. */
function expired({ url }: Registration, now: number): boolean {
	const until = Date.parse(url.searchParams.get('until') ?? '');
	return !Number.isNaN(until) && until < now;
}

/**
 * Whether the wait of a registration was answered: its wait message (in the registration's chat,
 * execution and node from the resume URL's path) has the key `answered:<execution>:<node>`.
 */
async function answered(ctx: IExecuteFunctions, { url, chatIds }: Registration): Promise<boolean> {
	const [execution, node] = url.pathname.split('/').slice(-2).map(decodeURIComponent);
	if (!execution || !node || chatIds.length !== 1) return false;
	const page = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatIds[0])}/messages`,
		qs: { externalKey: `answered:${execution}:${node}`, limit: 1 },
		// the bot has left the chat or it is gone: nothing to tell
		expectStatuses: [403, 404],
	});
	return Array.isArray(page.items) && page.items.length > 0;
}

/** Deletes the bot's registrations of waits that have ended or were answered; how many. */
export async function sweepEnded(ctx: IExecuteFunctions, now = Date.now()): Promise<number> {
	let swept = 0;
	for (const registration of await registrations(ctx)) {
		if (!expired(registration, now) && !(await answered(ctx, registration))) continue;
		await remove(ctx, registration.id);
		swept++;
	}
	return swept;
}

/** Registers the outgoing webhook of this wait: `message.created` of the one chat. */
export async function register(
	ctx: IExecuteFunctions,
	chatId: string,
	waitTill: Date | undefined,
): Promise<void> {
	const until = waitTill ? waitTill.toISOString() : '';
	const url = ctx.getSignedResumeUrl({ via: VIA_TEAMSPIRIT, until });
	await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: '/webhooks',
		body: { url, events: ['message.created'], chatIds: [chatId] },
		itemIndex: 0,
	});
}

/**
 * Deletes every registration of this wait (execution id and node id in the resume URL's path;
 * a retried registration may have made two).
 */
export async function unregister(ctx: IWebhookFunctions): Promise<void> {
	const suffix = `/${ctx.getExecutionId()}/${encodeURIComponent(ctx.getNode().id)}`;
	const mine = (await registrations(ctx)).filter(({ url }) => url.pathname.endsWith(suffix));
	for (const { id } of mine) await remove(ctx, id);
}
