/**
 * The conformance kit of the Website chat: the channel IS TeamSpirit (test/emulators/teamspirit.ts):
 * what is sent to a visitor is a message of the visitor's transcript chat (`out:` keys), and a
 * visitor's message is a POST to the trigger's `messages` endpoint with a signed session token
 * (README "Website Chat"; the widget's API is the trigger's `endpoints`).
 */
import { createHmac } from 'node:crypto';

import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WebhookTrigger } from '../../harness';

import { kit as channelKit, type Delivery, type ReceivedFile } from './kit';

export const SESSION_SECRET = 'conformance-session-secret-0123456789abcdef';
const VISITOR = 'v_ConformanceVisitor0001';

/** A session token as the trigger signs it (`v1.<visitorId>.<issuedAt base36>.<sig>`), or one signed with another secret. */
export function sessionToken(visitorId: string, secret = SESSION_SECRET, issuedAt = Date.now()): string {
	const at = issuedAt.toString(36);
	const sig = createHmac('sha256', secret).update(`n8n-nodes-teamspirit website session\n${visitorId}\n${at}`).digest('base64url');
	return `v1.${visitorId}.${at}.${sig}`;
}

/** The transcript chat of a visitor (found by its metadata, as a test reads it). */
const transcriptOf = (ts: TeamSpiritEmulator, visitorId: string) => ts.chatsWhere({ kind: 'websiteVisitor', visitorId })[0];

/** What was sent to the visitor, oldest first. */
const sentTo = (ts: TeamSpiritEmulator, visitorId: string) => {
	const chat = transcriptOf(ts, visitorId);
	return chat ? ts.messagesIn(chat.id).filter((m) => String(m.externalKey ?? '').startsWith('out:')) : [];
};

/** An endpoint of the trigger beside its main webhook (`<n8n>/webhook/<id>/<path>`). */
const endpoint = (hook: WebhookTrigger, path: string) => hook.url.replace(/\/[^/]+$/, `/${path}`);

async function postMessage(hook: WebhookTrigger, body: FormData | string): Promise<number> {
	const headers = typeof body === 'string' ? { 'content-type': 'text/plain;charset=UTF-8' } : undefined;
	const response = await fetch(endpoint(hook, 'messages'), { method: 'POST', headers, body });
	await response.arrayBuffer();
	return response.status;
}

export const kit = channelKit<TeamSpiritEmulator>({
	name: 'website',
	emulator: TeamSpiritEmulator,
	credentialType: new TeamSpiritWebsiteApi(),
	credentials: (ts) => ({ serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET }),
	fixture: 'website.message.send',
	conversations: () => ['v_AdaAdaAdaAdaAdaAdaAdaA', 'v_BobBobBobBobBobBobBobB', 'v_EveEveEveEveEveEveEveE'],
	sent: (ts, visitorId) => sentTo(ts, visitorId).map((m) => ({ id: m.id, text: m.text })),
	// an uploaded file is attached to the message; a file by URL is sent as that link
	files: (ts, visitorId) =>
		sentTo(ts, visitorId).flatMap((m): ReceivedFile[] =>
			m.files.length
				? m.files.map((f) => ({ upload: { filename: f.name, size: f.size, sha256: ts.files.get(f.id)!.sha256 } }))
				: /^https?:\/\/\S+$/.test(m.text.split('\n')[0])
					? [{ url: m.text.split('\n')[0] }]
					: [],
		),
	sendStatuses: (ts) => ts.requests.filter((r) => r.method === 'POST' && /^\/api\/v1\/chats\/[^/]+\/messages$/.test(r.path)).map((r) => r.status),
	inject429: (ts) => ts.failNext({ status: 429, method: 'POST', path: /\/messages$/, retryAfter: 1 }),
	triggerParameters: {},
	downloadOptions: (options) => ({ websiteOptions: options }),
	deliver: async (ts, hook, { key, signature, file, unreadable }: Delivery) => {
		const token = signature === 'forged' ? sessionToken(VISITOR, 'another-secret') : signature === 'missing' ? '' : sessionToken(VISITOR);
		const fields = { token, clientId: `00000000-0000-4000-8000-${String(key).padStart(12, '0')}`, text: `hi ${key}` };
		// what the trigger cannot read of a stored message: its file, which TeamSpirit fails to hand over
		if (unreadable) {
			ts.failNext({ method: 'GET', path: /^\/api\/v1\/files\/[^/]+\/content$/, status: 500, count: 20 });
			file = { name: 'unreadable.pdf', bytes: Buffer.from('%PDF-1.7 unreadable') };
		}
		if (!file) return await postMessage(hook, JSON.stringify(fields));
		const form = new FormData();
		for (const [name, value] of Object.entries(fields)) form.append(name, value);
		form.append('file', new Blob([file.bytes], { type: 'application/pdf' }), file.name);
		return await postMessage(hook, form);
	},
	// bytes that are no JSON, JSON that is no message (no clientId)
	malformed: async (_ts, hook) => [await postMessage(hook, '{"token":'), await postMessage(hook, JSON.stringify({ token: sessionToken(VISITOR), text: 'x' }))],
	malformedStatuses: [400, 400],
	// the visitor typing: taken, starts nothing
	unknown: async (_ts, hook) => {
		const response = await fetch(endpoint(hook, 'typing'), { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ token: sessionToken(VISITOR) }) });
		await response.arrayBuffer();
		return response.status;
	},
	// a message is stored before it is read, so only its file can fail: it arrives with a notice
	unreadableNotice: /^Not downloaded/,
});
