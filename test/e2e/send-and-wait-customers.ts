/**
 * The customers' side of the Send and Wait e2e suite (test/e2e/send-and-wait.e2e.test.ts): the
 * channel emulators, their credentials, and per channel a published workflow Webhook → "Ask"
 * (Chat Channel, Send and Wait for Response; the customer and the question from the request body)
 * → "After" (a text to the customer with what Ask gave), plus the page's Chat Channel Trigger that
 * relays Messenger's quick replies.
 */
import { randomUUID } from 'node:crypto';

import { GraphEmulator } from '../emulators/graph';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { credentialFor, type CredentialImport, type WorkflowJson } from './n8n';

export const CUSTOMER_CHANNELS = ['telegram', 'whatsapp', 'messenger'] as const;
export type CustomerChannel = (typeof CUSTOMER_CHANNELS)[number];

export const WHATSAPP_FROM = 'whatsapp:+14155238886';

export interface CustomerEmulators {
	tg: TelegramEmulator;
	tw: TwilioEmulator;
	fb: GraphEmulator;
	stop(): Promise<void>;
}

export async function startCustomerEmulators(): Promise<CustomerEmulators> {
	const tg = await TelegramEmulator.start();
	const tw = await TwilioEmulator.start();
	const fb = await GraphEmulator.start();
	return {
		tg,
		tw,
		fb,
		stop: async () => {
			await tg.stop();
			await tw.stop();
			await fb.stop();
		},
	};
}

const CREDENTIAL: Record<CustomerChannel, { type: string; id: string }> = {
	telegram: { type: 'teamSpiritTelegramApi', id: 'sw-telegram' },
	whatsapp: { type: 'teamSpiritTwilioApi', id: 'sw-twilio' },
	messenger: { type: 'teamSpiritMessengerApi', id: 'sw-messenger' },
};

export function customerCredentials(e: CustomerEmulators): CredentialImport[] {
	return [
		credentialFor.telegram(CREDENTIAL.telegram.id, e.tg),
		credentialFor.twilio(CREDENTIAL.whatsapp.id, e.tw),
		credentialFor.messenger(CREDENTIAL.messenger.id, e.fb),
	];
}

export const askPath = (channel: CustomerChannel) => `send-and-wait-${channel}`;

function chatNode(channel: CustomerChannel, name: string, x: number, parameters: Record<string, unknown>) {
	const { type, id } = CREDENTIAL[channel];
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-teamspirit.chatChannel',
		typeVersion: 1,
		position: [x, 300] as [number, number],
		parameters: { channel, resource: 'message', ...(channel === 'whatsapp' ? { whatsappFrom: WHATSAPP_FROM } : {}), ...parameters },
		credentials: { [type]: { id, name: id } },
	};
}

/** Webhook → Ask (the customer's question; from the request body) → After (the answer, to the customer). */
export function customerAskWorkflow(channel: CustomerChannel): WorkflowJson {
	const body = (field: string, fallback: string) => `={{ $json.body.${field} ?? ${fallback} }}`;
	return {
		name: `Send and wait: ${channel} customer (e2e)`,
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [100, 300],
				parameters: { httpMethod: 'POST', path: askPath(channel), responseMode: 'onReceived', options: {} },
				webhookId: randomUUID(),
			},
			chatNode(channel, 'Ask', 300, {
				operation: 'sendAndWait',
				conversationId: '={{ $json.body.conversationId }}',
				message: '={{ $json.body.message }}',
				responseType: body('responseType', '"approval"'),
				approvalOptions: { values: { approvalType: body('approvalType', '"single"'), approveLabel: 'Yes, confirm', disapproveLabel: 'No' } },
			}),
			chatNode(channel, 'After', 500, {
				operation: 'send',
				conversationId: "={{ $('Webhook').first().json.body.conversationId }}",
				text: "=After {{ $('Webhook').first().json.body.message.split(' ')[0] }}: {{ $json.data ? JSON.stringify($json.data) : 'no answer' }}",
			}),
		],
		connections: {
			Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

/** The page's Chat Channel Trigger: it relays the quick replies of Messenger questions. */
export function messengerTriggerWorkflow(): WorkflowJson {
	const { type, id } = CREDENTIAL.messenger;
	return {
		name: 'Send and wait: Messenger page trigger (e2e)',
		nodes: [
			{
				id: randomUUID(),
				name: 'Chat Channel Trigger',
				type: 'n8n-nodes-teamspirit.chatChannelTrigger',
				typeVersion: 1,
				position: [100, 300],
				parameters: { channel: 'messenger' },
				credentials: { [type]: { id, name: id } },
				webhookId: randomUUID(),
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

/** The links of a text ("Respond: https://…" lines), by label. */
export function linksInText(text: string): Record<string, string> {
	const links: Record<string, string> = {};
	for (const match of text.matchAll(/^(.+): (https?:\/\/\S+)$/gm)) links[match[1]] = match[2];
	return links;
}
