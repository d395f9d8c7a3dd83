/**
 * Chat Channel → Message → Send and Wait for Response through n8n-core's real WorkflowExecute,
 * against the channel emulators: Manual → Items (the customer) → Ask (the question) → After (a
 * text to the customer with the answer, so that the resumed run is visible on the channel).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INode } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import type { GraphEmulator } from '../../emulators/graph';
import { listen } from '../../emulators/listen';
import type { TelegramEmulator } from '../../emulators/telegram';
import type { TwilioEmulator } from '../../emulators/twilio';
import { startExecution, type Execution, type WorkflowJson } from '../../harness';
import { NODE_TYPE } from './setup';

export const ASK_NODE_ID = 'c0a5a17e-0000-4000-8000-00000000a5c1';
export const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
export const WHATSAPP_FROM = 'whatsapp:+14155238886';

export interface Emulators {
	tg: TelegramEmulator;
	tw: TwilioEmulator;
	fb: GraphEmulator;
}

const CREDENTIAL_OF: Record<string, { type: string; name: string }> = {
	telegram: { type: 'teamSpiritTelegramApi', name: 'Bot' },
	whatsapp: { type: 'teamSpiritTwilioApi', name: 'Twilio' },
	messenger: { type: 'teamSpiritMessengerApi', name: 'Page' },
};

function chatNode(name: string, id: string, channel: string, parameters: IDataObject, x: number): INode {
	const credential = CREDENTIAL_OF[channel];
	const from = channel === 'whatsapp' ? { whatsappFrom: WHATSAPP_FROM } : {};
	return {
		id,
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position: [x, 0],
		parameters: { channel, resource: 'message', ...from, ...parameters } as INode['parameters'],
		credentials: { [credential.type]: { id: credential.type, name: credential.name } },
	};
}

export function askWorkflow(channel: string, conversationId: string, ask: IDataObject): WorkflowJson {
	const link = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });
	return {
		id: `wf-ask-${channel}`,
		name: `Ask on ${channel}`,
		nodes: [
			{ id: 'm', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'i',
				name: 'Items',
				type: 'teamspiritTest.items',
				typeVersion: 1,
				position: [200, 0],
				parameters: { items: JSON.stringify([{ conversationId }]) },
			},
			chatNode('Ask', ASK_NODE_ID, channel, { operation: 'sendAndWait', ...ask }, 400),
			chatNode('After', 'c0a5a17e-0000-4000-8000-00000000af7e', channel, {
				operation: 'send',
				conversationId: "={{ $('Items').first().json.conversationId }}",
				text: '=After: {{ JSON.stringify($json.data) }}',
			}, 600),
		],
		connections: { Manual: link('Items'), Items: link('Ask'), Ask: link('After') },
		settings: { executionOrder: 'v1' },
	};
}

/** Starts the workflow: it sends the question and waits (or ends on an error). */
export async function startAsking(
	emulators: Emulators,
	channel: string,
	conversationId: string,
	ask: IDataObject,
	baseUrl?: string,
): Promise<Execution> {
	const { tg, tw, fb } = emulators;
	return await startExecution({
		workflow: askWorkflow(channel, conversationId, ask),
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritTelegramApi(), new TeamSpiritTwilioApi(), new TeamSpiritMessengerApi()],
		credentials: {
			teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url },
			teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
			teamSpiritMessengerApi: fb.credentialData(),
		},
		baseUrl,
	});
}

/** The links of a text ("Approve: https://…" lines), by label. */
export function linksInText(text: string): Record<string, string> {
	const links: Record<string, string> = {};
	for (const match of text.matchAll(/^(.+): (https?:\/\/\S+)$/gm)) links[match[1]] = match[2];
	return links;
}

/** A free-text form's answer, as the form page posts it. */
export const formBody = (fields: Record<string, string>) => ({
	headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': BROWSER },
	body: new URLSearchParams(fields).toString(),
});

/**
 * n8n's HTTP side of the waiting executions: requests to /webhook-waiting/… on this server go to
 * `execution.request`, so that the Chat Channel Trigger can relay to it over HTTP.
 */
export class WaitingWebhooks {
	execution?: Execution;
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
			void this.execution!.request({ url: `${this.url}${req.url}`, method: req.method, headers, body: Buffer.concat(chunks) }).then(
				(call) => {
					res.writeHead(call.response.status, call.response.headers);
					res.end(call.response.body);
				},
				(error: Error) => {
					res.writeHead(500);
					res.end(error.message);
				},
			);
		});
	});

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async start(): Promise<this> {
		await listen(this.server);
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
