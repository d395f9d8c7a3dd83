/**
 * What a real n8n needs to serve the Website chat channel against the emulators, shared by the
 * e2e suite (test/e2e/website-chat.e2e.test.ts) and `npm run bench -- website`
 * (scripts/bench/website.ts): the TeamSpirit emulator with the operator, the two credentials,
 * examples/website-conversations.json with an operator chosen and the trigger's Allowed Origins,
 * and the company's web site: a host page on ANOTHER origin (`http://localhost:<port>`, while n8n
 * is `http://127.0.0.1:<port>`) that embeds the widget with the one script tag widget.js shows
 * when opened in a browser tab.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { queueKey } from '../../nodes/conversations/keys';
import { TeamSpiritEmulator, type Chat, type User } from '../emulators/teamspirit';
import { withoutContactCentre } from '../helpers/examples';
import { OPERATOR, readExample, weeklyHours } from './conversation-setup';
import { credentialFor, type CredentialImport, type WorkflowJson } from './n8n';

const CHANNEL_TRIGGER = 'n8n-nodes-teamspirit.chatChannelTrigger';
const TEAMSPIRIT_TRIGGER = 'n8n-nodes-teamspirit.teamSpiritTrigger';
export const WEBSITE_CREDENTIAL_TYPE = 'teamSpiritWebsiteApi';

/** The website credential's Session Secret in these tests (never printed by n8n: checked). */
export const SESSION_SECRET = 'e2e-website-session-secret-5f0c9d3a7b21e4c8';

export interface WebsiteEmulators {
	ts: TeamSpiritEmulator;
	operator: User;
	stop(): Promise<void>;
}

/**
 * TeamSpirit delivering its outgoing webhooks as the server does, resending a failed delivery
 * (n8n down for a restart) after 1, 2, then every 3 s for 3 minutes, as the contract's retries do
 * (compressed).
 */
export async function startWebsiteEmulators(opts: { latencyMs?: number } = {}): Promise<WebsiteEmulators> {
	const ts = await TeamSpiritEmulator.start({
		autoDeliver: true,
		retryDelaysMs: [1_000, 2_000, ...Array<number>(60).fill(3_000)],
		latencyMs: opts.latencyMs,
	});
	const operator = ts.addUser(OPERATOR);
	return { ts, operator, stop: () => ts.stop() };
}

/**
 * The credentials the example names: the TeamSpirit account, and the website credential on the
 * same bot (so the visitor's typing reaches the operators' chat), each under the id and name the
 * example gives it.
 */
export function websiteCredentials(ts: TeamSpiritEmulator, workflow: WorkflowJson): CredentialImport[] {
	const named = new Map<string, { id: string; name: string }>();
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries((node.credentials ?? {}) as Record<string, { id: string; name: string }>))
			named.set(type, ref);
	}
	const teamSpirit = named.get('teamSpiritApi') ?? { id: 'teamspirit', name: 'TeamSpirit account' };
	const website = named.get(WEBSITE_CREDENTIAL_TYPE) ?? { id: 'website-chat', name: 'TeamSpirit Website Chat' };
	return [
		credentialFor.teamSpirit(teamSpirit.id, ts, teamSpirit.name),
		{
			id: website.id,
			name: website.name,
			type: WEBSITE_CREDENTIAL_TYPE,
			data: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET },
		},
	];
}

export interface WebsiteOptions {
	/** The trigger's Allowed Origins (comma-separated). */
	allowedOrigins: string;
	/** The trigger's Business Hours Queue. */
	businessHoursQueue?: string;
}

/** The Chat Channel Trigger (channel Website) of a workflow. */
export const websiteTrigger = (workflow: WorkflowJson) => workflow.nodes.find((n) => n.type === CHANNEL_TRIGGER)!;

/**
 * examples/website-conversations.json as a user sets it up: the operator picked in Forward to
 * TeamSpirit's "Operator Names or IDs", the site's origin in Allowed Origins, the contact centre
 * left out (as the bridge's other suites do; `withoutContactCentre`), triggers answering once
 * the message is received.
 */
export function websiteExample(operatorId: string, options: WebsiteOptions): WorkflowJson {
	const workflow = withoutContactCentre(readExample('website-conversations.json'));
	workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!.parameters.operators = [operatorId];
	const trigger = websiteTrigger(workflow);
	trigger.parameters.websiteAllowedOrigins = options.allowedOrigins;
	if (options.businessHoursQueue) trigger.parameters.websiteHoursQueue = options.businessHoursQueue;
	return workflow;
}

/**
 * A contact-centre queue as *Forward to TeamSpirit* publishes it to TeamSpirit (its settings chat,
 * `metadata.kind: 'queue'`, keyed with the TeamSpirit credential's secret: here the API key),
 * open from `from` to `to` (UTC, less than a day apart): what the trigger's Business Hours Queue
 * reads.
 */
export function seedQueue(ts: TeamSpiritEmulator, name: string, from: Date, to: Date): Chat {
	return ts.addChat({
		title: `Queue · ${name}`,
		externalKey: queueKey(name, ts.apiKey),
		metadata: { kind: 'queue', settings: queueSettings(name, from, to) },
	});
}

/** The queue's weekly hours changed to `from`–`to`, as a new version of its settings chat. */
export function setQueueHours(ts: TeamSpiritEmulator, chatId: string, name: string, from: Date, to: Date): void {
	const chat = ts.chats.get(chatId)!;
	chat.metadata = { ...chat.metadata, settings: queueSettings(name, from, to) };
	chat.version += 1;
}

function queueSettings(name: string, from: Date, to: Date): Record<string, unknown> {
	return {
		name,
		operators: [OPERATOR.id],
		announceChatId: '',
		routing: 'manual',
		maxOpen: 0,
		accounts: [],
		timeZone: 'UTC',
		weeklyHours: weeklyHours(from, to),
		holidays: '',
		greeting: '',
		awayReply: '',
		awayQuietMinutes: 0,
		closingMessage: '',
		ratingQuestion: '',
		notePrefix: '',
		cannedChatId: '',
	};
}

/** The webhook ids of the example's two triggers (after import: importWorkflows assigns them). */
export function websiteWebhookIds(workflow: WorkflowJson): { visitor: string; operator: string } {
	const id = (type: string) => workflow.nodes.find((n) => n.type === type)?.webhookId as string;
	return { visitor: id(CHANNEL_TRIGGER), operator: id(TEAMSPIRIT_TRIGGER) };
}

/** `<n8n>/webhook/<webhookId>/<path>`: where the widget and its API are. */
export const widgetUrl = (n8nUrl: string, webhookId: string, path = 'widget.js') => `${n8nUrl}/webhook/${webhookId}/${path}`;

// ----- the company's web site --------------------------------------------------------------------

export interface HostSite {
	port: number;
	/** `http://localhost:<port>`: the site's origin (another origin than n8n's 127.0.0.1). */
	origin: string;
	/** The same server under `http://127.0.0.1:<port>`: an origin NOT in Allowed Origins. */
	otherOrigin: string;
	/** A page of the site embedding the widget script `scriptUrl`. */
	pageUrl(scriptUrl: string, opts?: { origin?: string; title?: string }): string;
	stop(): Promise<void>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain company page with the embedding snippet `<script src="…/widget.js" async></script>`. */
export function hostPageHtml(scriptUrl: string, title = 'Acme Garden Supplies'): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1f2933; background: #f5f7fa; }
header { background: #2f6f4f; color: #fff; padding: 18px 32px; font-size: 22px; font-weight: 600; }
main { max-width: 760px; padding: 24px 32px; }
.card { background: #fff; border-radius: 8px; padding: 16px 20px; margin: 0 0 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
</style>
</head>
<body>
<header>${escapeHtml(title)}</header>
<main>
<div class="card"><h2>Spring sale</h2><p>Seeds, tools and planters: 20% off until Sunday. Questions about your order? Write to us in the chat.</p></div>
<div class="card"><h2>Delivery</h2><p>Orders placed before 2 pm ship the same day.</p></div>
</main>
<script src="${escapeHtml(scriptUrl)}" async></script>
</body>
</html>
`;
}

/**
 * The site: `GET /?script=<url>` answers the host page embedding that script. Listens on
 * 127.0.0.1; Chromium reaches it as `localhost` too, a different origin.
 */
export async function startHostSite(): Promise<HostSite> {
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const script = url.searchParams.get('script');
		if (url.pathname !== '/' || !script) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
		res.end(hostPageHtml(script, url.searchParams.get('title') ?? undefined));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const origin = `http://localhost:${port}`;
	return {
		port,
		origin,
		otherOrigin: `http://127.0.0.1:${port}`,
		pageUrl: (scriptUrl, opts = {}) => {
			const q = new URLSearchParams({ script: scriptUrl, ...(opts.title ? { title: opts.title } : {}) });
			return `${opts.origin ?? origin}/?${q}`;
		},
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

// ----- the widget's API, called as a browser on the site would ----------------------------------

export interface ApiAnswer {
	status: number;
	headers: Headers;
	json: any;
}

/**
 * A request to the widget's API the way the widget makes it (a CORS simple request: GET with a
 * query, or POST `text/plain;charset=UTF-8` with a JSON string), with the site's `Origin`.
 */
export async function widgetApi(
	base: string,
	method: 'GET' | 'POST',
	path: string,
	opts: { origin?: string; query?: Record<string, string>; body?: unknown } = {},
): Promise<ApiAnswer> {
	const url = new URL(`${base}/${path}`);
	for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
	const response = await fetch(url, {
		method,
		headers: {
			...(opts.origin ? { origin: opts.origin } : {}),
			...(method === 'POST' ? { 'content-type': 'text/plain;charset=UTF-8' } : {}),
		},
		body: method === 'POST' ? JSON.stringify(opts.body ?? {}) : undefined,
	});
	const text = await response.text();
	let json: unknown = text;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: response.status, headers: response.headers, json };
}
