/**
 * The inbound bridge examples (examples/whatsapp-to-teamspirit.json,
 * examples/messenger-to-teamspirit.json) through the real execution engine: a customer's signed
 * message starts the workflow, which posts it into the TeamSpirit support chat.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import { GraphEmulator } from '../../emulators/graph';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { TwilioEmulator } from '../../emulators/twilio';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

const example = (name: string) =>
	JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'examples', `${name}.json`), 'utf8')) as WorkflowJson;

let ts: TeamSpiritEmulator;
let hook: WebhookTrigger | undefined;
beforeEach(async () => {
	seenEvents.clear();
	ts = await TeamSpiritEmulator.start();
	ts.addChat({ id: 'c_support', title: 'Support desk', memberIds: [] });
});
afterEach(async () => {
	await hook?.close();
	hook = undefined;
	await ts.stop();
});

const nodeTypes = () => ({ [TRIGGER_TYPE]: new ChatChannelTrigger(), 'n8n-nodes-teamspirit.teamSpirit': new TeamSpirit() });

describe('Bridge examples: customers’ messages into TeamSpirit', () => {
	it('WhatsApp → TeamSpirit: the message lands in the support chat with its conversation tag', async () => {
		const tw = await TwilioEmulator.start();
		try {
			hook = await startWebhookTrigger({
				workflow: example('whatsapp-to-teamspirit'),
				nodeTypes: nodeTypes(),
				credentialTypes: [new TeamSpiritTwilioApi(), new TeamSpiritApi()],
				credentials: {
					teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
					teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
				},
				listen: true,
				runWorkflow: true,
			});
			await hook.activate();
			await tw.sendInbound(hook.url, { From: 'whatsapp:+4915112345678', ProfileName: 'Ada', Body: 'My order is late' });
			await hook.settled();
			expect(hook.calls.find((c) => c.started)?.run?.status).toBe('success');
			expect(ts.messagesIn('c_support').map((m) => m.text)).toEqual(['[wa:whatsapp:+4915112345678] Ada: My order is late']);
		} finally {
			await tw.stop();
		}
	});

	it('Messenger → TeamSpirit: every event of a batch lands in the support chat', async () => {
		const fb = await GraphEmulator.start();
		try {
			hook = await startWebhookTrigger({
				workflow: example('messenger-to-teamspirit'),
				nodeTypes: nodeTypes(),
				credentialTypes: [new TeamSpiritMessengerApi(), new TeamSpiritApi()],
				credentials: {
					teamSpiritMessengerApi: { pageId: fb.pageId, accessToken: fb.pageAccessToken, appSecret: fb.appSecret, verifyToken: fb.verifyToken, graphVersion: fb.version, baseUrl: fb.url },
					teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
				},
				listen: true,
				runWorkflow: true,
			});
			await hook.activate();
			await fb.deliver(hook.url, [fb.messageEvent('7000000000000001', { text: 'Hi' }), fb.postbackEvent('7000000000000001', { title: 'Help', payload: 'HELP' })]);
			await hook.settled();
			expect(ts.messagesIn('c_support').map((m) => m.text)).toEqual(['[fb:7000000000000001] 7000000000000001: Hi', '[fb:7000000000000001] 7000000000000001: HELP']);
		} finally {
			await fb.stop();
		}
	});
});
