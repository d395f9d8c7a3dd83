/**
 * The Website channel's endpoints through the webhook harness: one harness per endpoint (each is
 * its own n8n webhook of one workflow's trigger), raw requests as the widget sends them.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { messageLimiter } from '../../../nodes/channels/website/limits';
import { forgetTranscripts } from '../../../nodes/channels/website/transcript';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import {
	startWebhookTrigger,
	type RawRequest,
	type WebhookCall,
	type WebhookTrigger,
	type WorkflowJson,
} from '../../harness';
import { TRIGGER_TYPE } from './setup';

export const SESSION_SECRET = 'website-session-secret-for-tests-0123456789';
export const PAGE = 'https://shop.example.com';

export type EndpointName =
	| 'widgetScript'
	| 'widgetStyle'
	| 'session'
	| 'messages'
	| 'poll'
	| 'typing'
	| 'files';

export const websiteWorkflow = (parameters: IDataObject = {}) => ({
	id: 'wf-website',
	name: 'Website chat',
	nodes: [
		{
			id: 'n-website',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '3f6c1b7e-2a44-4d0b-9c1e-5a6b7c8d9e0f',
			parameters: { channel: 'website', ...parameters },
			credentials: { teamSpiritWebsiteApi: { id: '9', name: 'Website' } },
		},
	],
	connections: {},
});

export interface Website {
	call(name: EndpointName, raw: RawRequest): Promise<WebhookCall>;
	hook(name: EndpointName): WebhookTrigger;
	/** A new visitor's session: `{ token, visitorId, … }`. */
	session(body?: IDataObject): Promise<{ token: string; visitorId: string } & IDataObject>;
	/** `POST messages` as the widget sends a text (text/plain, a JSON string). */
	send(fields: IDataObject, headers?: Record<string, string>): Promise<WebhookCall>;
	poll(query: Record<string, string>): Promise<WebhookCall>;
	close(): Promise<void>;
}

export function forgetProcessState(): void {
	seenEvents.clear();
	messageLimiter.clear();
	forgetTranscripts();
}

export async function startWebsite(ts: TeamSpiritEmulator, parameters: IDataObject = {}): Promise<Website> {
	const hooks = new Map<EndpointName, WebhookTrigger>();
	const names: EndpointName[] = ['widgetScript', 'widgetStyle', 'session', 'messages', 'poll', 'typing', 'files'];
	for (const name of names) {
		hooks.set(
			name,
			await startWebhookTrigger({
				workflow: websiteWorkflow(parameters) as unknown as WorkflowJson,
				nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
				credentialTypes: [new TeamSpiritWebsiteApi()],
				credentials: {
					teamSpiritWebsiteApi: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET },
				},
				webhookName: name as never,
			}),
		);
	}
	const call = async (name: EndpointName, raw: RawRequest) => await hooks.get(name)!.request(raw);
	const text = (fields: IDataObject) => JSON.stringify(fields);
	return {
		call,
		hook: (name) => hooks.get(name)!,
		async session(body = {}) {
			const answer = await call('session', {
				method: 'POST',
				headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE },
				body: text(body),
			});
			if (answer.response.status !== 200) throw new Error(`session: ${answer.response.body}`);
			return answer.response.json as { token: string; visitorId: string } & IDataObject;
		},
		send: async (fields, headers = {}) =>
			await call('messages', {
				method: 'POST',
				headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE, ...headers },
				body: text(fields),
			}),
		poll: async (query) => await call('poll', { method: 'GET', headers: { origin: PAGE }, query }),
		async close() {
			for (const hook of hooks.values()) await hook.close();
		},
	};
}

/** A multipart body as a browser's FormData makes it. */
export function formData(
	fields: Record<string, string>,
	files: Array<{ name: string; type: string; content: Buffer }>,
): { body: Buffer; contentType: string } {
	const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	for (const file of files) {
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
			),
			file.content,
			Buffer.from('\r\n'),
		);
	}
	parts.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
