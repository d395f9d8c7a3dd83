/**
 * Website Chat's conversation driver (./types.ts). The website has no platform: its store is
 * TeamSpirit (README "Website Chat"), so the driver starts a TeamSpirit emulator of its own as the
 * Website Chat credential's server (its own Server URL and API key, as the credential allows; the
 * bridge's TeamSpirit stays the operators' alone, so its counts are the bridge's). Visitors are
 * driven as the widget drives the trigger's endpoints: `POST session` with the visitor's token and
 * contact (name, e-mail) before the first message, `POST messages` (a JSON string as text/plain,
 * or multipart with files) from the site's page (its Origin, in the trigger's Allowed Origins),
 * sent again with the same clientId while the trigger answers 503, as the widget does. What the
 * visitor receives is what the widget shows of their transcript: the messages sent to them (`out:`
 * keys), with their edits and deletions as the store saw them happen.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { TeamSpiritWebsiteApi } from '../../../../credentials/TeamSpiritWebsiteApi.credentials';
import { TeamSpiritEmulator, type Message } from '../../../emulators/teamspirit';
import { sessionToken } from '../../conformance/website';
import type { ChannelDriver, Customer, Outgoing, Received } from './types';

/** The company's page that embeds the widget (the trigger's Allowed Origins). */
const PAGE = 'https://shop.example.com';
const SESSION_SECRET = 'website-driver-session-secret-0123456789abcdef';

/** What the visitor's widget shows, read as the widget reads it (`GET messages`, the long poll's answer). */
export interface WidgetView {
	messages: Array<{
		from: 'visitor' | 'agent';
		text: string;
		files: Array<{ name: string; url: string }>;
	}>;
	typing: boolean;
	offline: boolean;
}

/** The visitor's widget now: the trigger's `GET messages` (at once, no wait) from the site's page. */
export async function widgetOf(
	bridge: { customerHook: { url: string } },
	customer: Customer,
): Promise<WidgetView> {
	// any token the trigger signed for the visitor reads their conversation (the widget keeps one)
	const query = new URLSearchParams({
		token: sessionToken(customer.conversationId, SESSION_SECRET),
	});
	const response = await fetch(
		`${endpoint(bridge.customerHook.url, 'messages')}?${query.toString()}`,
		{
			headers: { origin: PAGE },
		},
	);
	const text = await response.text();
	if (response.status !== 200) throw new Error(`GET messages: ${response.status} ${text}`);
	return JSON.parse(text) as WidgetView;
}

/** A message posted to a transcript: the visitor's (`in:`) or one sent to the visitor (`out:`). */
const SEND = /\/chats\/[^/]+\/messages$/;
const isToVisitor = (body: string) => /"externalKey":\s*"out:/.test(body);

/** An endpoint of the trigger beside its main webhook (`<n8n>/webhook/<id>/<path>`). */
const endpoint = (url: string, path: string) => url.replace(/\/[^/]+$/, `/${path}`);

async function post(url: string, body: string | FormData) {
	const headers: Record<string, string> = { origin: PAGE };
	if (typeof body === 'string') headers['content-type'] = 'text/plain;charset=UTF-8';
	const response = await fetch(url, { method: 'POST', headers, body });
	return { status: response.status, text: await response.text() };
}

/** The widget's `POST messages`: sent again with the same clientId while the trigger answers 503. */
async function sendMessage(url: string, body: () => string | FormData): Promise<string> {
	for (let attempt = 1; ; attempt++) {
		const answer = await post(endpoint(url, 'messages'), body()).catch(() => undefined);
		if (answer?.status === 200) return (JSON.parse(answer.text) as { id: string }).id;
		if (attempt >= 8 || (answer && answer.status !== 503))
			throw new Error(`POST messages: ${answer?.status ?? 'no answer'} ${answer?.text ?? ''}`);
		await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
	}
}

export const driver: ChannelDriver = {
	name: 'website',
	sendPath: SEND,
	title: 'Website Chat',
	// the widget has no edits and no replies, and shares no location; a file keeps its name and
	// the message's text is its caption
	customerEdits: false,
	customerFileNames: true,
	replies: false,
	customerReplies: false,
	locations: false,
	// the contact form's name: longer ones are refused (400, the widget shows why)
	maxNameLength: 200,
	// a send is posted under its key (`out:<digest>`): sent again, TeamSpirit answers the message it has
	idempotentSends: true,
	formatting: {
		// plain text both ways: whatever looks like markup is text
		customer: (() => {
			const text = '**Hello** _there_: snake_case_name, 2*3*4, [draft](x) `x_y` 👍🏽 \\o/';
			return { message: text, shown: text, markdown: false };
		})(),
		operator: {
			text: 'Order 4711 costs 2*3 — see the page (https://example.com/a_b) and code_x 👍🏽',
		},
	},
	// no `refusal`: a visitor cannot block the company or close a window; anything the store
	// refuses is TeamSpirit refusing the credential's bot, not the visitor

	async start() {
		const store = await TeamSpiritEmulator.start();
		// everything the store saw happen to a message (a deleted one is gone from the store)
		const seen = new Map<string, Message & { deleted?: boolean }>();
		store.observe((event, data) => {
			const message = data as Message;
			if (event === 'message.created' || event === 'message.updated') seen.set(message.id, message);
			if (event === 'message.deleted' && seen.has(message.id))
				seen.set(message.id, { ...seen.get(message.id)!, deleted: true });
		});
		const tokens = new Map<string, string>();
		const transcriptOf = (customer: Customer) =>
			store.chatsWhere({ kind: 'websiteVisitor', visitorId: customer.conversationId })[0];

		/** The visitor's session, as the widget opens it: the contact form sent before the first message. */
		async function session(url: string, customer: Customer): Promise<string> {
			const known = tokens.get(customer.conversationId);
			if (known) return known;
			const answer = await post(
				endpoint(url, 'session'),
				JSON.stringify({
					token: sessionToken(customer.conversationId, SESSION_SECRET),
					name: customer.name,
					email: `${customer.first.toLowerCase().replace(/[^a-z]/g, '') || 'visitor'}@example.com`,
				}),
			);
			const body = JSON.parse(answer.text) as { token: string; visitorId: string };
			if (answer.status !== 200 || body.visitorId !== customer.conversationId)
				throw new Error(`POST session: ${answer.status} ${answer.text}`);
			tokens.set(customer.conversationId, body.token);
			return body.token;
		}

		return {
			emulator: store,
			url: store.url,
			// the credential's bot (GET /me): the channel's account
			account: store.bot.id,
			credentialTypes: [new TeamSpiritWebsiteApi()],
			credentials: {
				teamSpiritWebsiteApi: {
					serverUrl: store.url,
					apiKey: store.apiKey,
					sessionSecret: SESSION_SECRET,
				},
			},
			adapt(workflow) {
				const trigger = workflow.nodes.find((n) => n.name === 'Customer writes')!;
				trigger.parameters.websiteAllowedOrigins = PAGE;
			},
			newCustomer(first, last) {
				// a visitor id as the trigger's session makes one (`v_` and 22 random characters)
				const id = `v_${randomBytes(16).toString('base64url')}`;
				return { first, last, name: `${first} ${last}`, conversationId: id, part: id };
			},
			async write(url, customer, message: Outgoing) {
				const token = await session(url, customer);
				const clientId = randomUUID();
				const file = message.photo
					? { bytes: message.photo, name: 'photo.jpg', mimeType: 'image/jpeg' }
					: message.document;
				const body = () => {
					if (!file) return JSON.stringify({ token, clientId, text: message.text ?? '' });
					const form = new FormData();
					form.append('token', token);
					form.append('clientId', clientId);
					if (message.text !== undefined) form.append('text', message.text);
					form.append('file', new Blob([file.bytes], { type: file.mimeType }), file.name);
					return form;
				};
				const id = await sendMessage(url, body);
				return { id, again: async () => void (await sendMessage(url, body)) };
			},
			delivered: async () => undefined,
			received(customer): Received[] {
				const transcript = transcriptOf(customer);
				if (!transcript) return [];
				return [...seen.values()]
					.filter((m) => m.chatId === transcript.id && m.externalKey?.startsWith('out:'))
					.map((m) => {
						const [file] = m.files;
						return {
							id: m.id,
							text: m.text,
							source: m.text,
							...(file ? { fileSha256: store.files.get(file.id)!.sha256 } : {}),
							...(m.editedAt ? { edited: true } : {}),
							...(m.deleted ? { deleted: true } : {}),
						};
					});
			},
			requests: () => store.requests.length,
			calls: (kind) =>
				store.requests.filter(
					(r) =>
						r.method === (kind === 'edit' ? 'PATCH' : 'DELETE') &&
						/\/chats\/[^/]+\/messages\/[^/]+$/.test(r.path),
				).length,
			sentTo(request, customer) {
				const transcript = transcriptOf(customer);
				return Boolean(transcript) && request.path.includes(`/chats/${transcript.id}/`);
			},
			async sendOutage(status, proxy) {
				// TeamSpirit's own error shape, for what is sent to visitors (their own messages are stored)
				const remove = proxy.rule({
					match: (r) => r.method === 'POST' && SEND.test(r.path) && isToVisitor(r.body),
					action:
						status === 429
							? {
									status,
									headers: { 'retry-after': '1' },
									json: {
										error: { code: 'rate_limited', message: 'Too many requests, retry after 1 s' },
									},
								}
							: {
									status,
									json: {
										error: { code: 'unavailable', message: 'Service temporarily unavailable' },
									},
								},
				});
				return async () => remove();
			},
			failNextSendAfterAccepting: () =>
				store.failNext({ method: 'POST', path: SEND, status: 500, afterAccepting: true }),
			stop: async () => await store.stop(),
		};
	},
};
