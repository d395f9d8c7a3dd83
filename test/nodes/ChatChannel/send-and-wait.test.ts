/**
 * Chat Channel → Message → Send and Wait for Response for customers, through n8n-core's real
 * WorkflowExecute against the Telegram, Twilio and Graph emulators: what the customer receives on
 * each channel, the execution waiting, and the answer resuming it exactly once.
 */
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../../emulators/graph';
import { TelegramEmulator } from '../../emulators/telegram';
import { TwilioEmulator } from '../../emulators/twilio';
import { startWebhookTrigger, type Execution, type WorkflowJson } from '../../harness';
import { metaRequest } from '../../helpers/signing';
import {
	ASK_NODE_ID,
	BROWSER,
	WaitingWebhooks,
	formBody,
	linksInText,
	startAsking,
	type Emulators,
} from './send-and-wait-setup';

jest.setTimeout(60_000);

const TG_CHAT = '4242';
const CUSTOMER = 'whatsapp:+4915112345678';
const PSID = '7000000000000001';
const browser = { headers: { 'user-agent': BROWSER } };

let emulators: Emulators;
beforeEach(async () => {
	seenEvents.clear();
	emulators = { tg: await TelegramEmulator.start(), tw: await TwilioEmulator.start(), fb: await GraphEmulator.start() };
	emulators.tw.touch(CUSTOMER);
	emulators.fb.addUser({ id: PSID });
	emulators.fb.touch(PSID);
});
afterEach(async () => {
	await emulators.tg.stop();
	await emulators.tw.stop();
	await emulators.fb.stop();
});

const signedLink = (execution: Execution, approved: string) =>
	new RegExp(`^http://[^/]+/webhook-waiting/${execution.id}/${ASK_NODE_ID}\\?approved=${approved}&signature=[0-9a-f]{64}$`);

/** The question is sent and the execution waits; nothing after Ask ran. */
function expectWaiting(execution: Execution) {
	expect(execution.status).toBe('waiting');
	expect(execution.result.executionOrder).not.toContain('After');
}

const CONFIRM = 'Confirm your appointment tomorrow at 10?';
const double = { approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes, confirm', disapproveLabel: 'No' } } };

describe('Send and Wait for Response (Chat Channel): Telegram', () => {
	it('sends the question with an inline keyboard of the signed links; the Decline button’s link resumes with approved false', async () => {
		const { tg } = emulators;
		const execution = await startAsking(emulators, 'telegram', TG_CHAT, { message: CONFIRM, ...double });
		expectWaiting(execution);
		expect(execution.waitTill?.getTime()).toBe(WAIT_INDEFINITELY.getTime());
		const [question] = tg.sentMessages(TG_CHAT);
		expect(question.text).toBe(CONFIRM);
		const keyboard = (question.reply_markup as { inline_keyboard: Array<Array<{ text: string; url?: string; callback_data?: string }>> }).inline_keyboard;
		expect(keyboard.map((row) => row.map((b) => b.text))).toEqual([['Yes, confirm', 'No']]);
		const [yes, no] = keyboard[0];
		expect(yes.url).toMatch(signedLink(execution, 'true'));
		expect(no.url).toMatch(signedLink(execution, 'false'));
		expect(keyboard[0].every((b) => b.callback_data === undefined)).toBe(true);

		// Telegram's link preview fetcher opens nothing: only a browser answers
		const preview = await execution.request({ url: no.url!, headers: { 'user-agent': 'TelegramBot (like TwitterBot)' } });
		expect(preview.resumed).toBe(false);
		expect(execution.status).toBe('waiting');

		const call = await execution.request({ url: no.url!, ...browser });
		expect(call.response.status).toBe(200);
		expect(call.response.body).toContain('Got it, thanks');
		expect(call.resumed).toBe(true);
		expect(execution.status).toBe('success');
		expect(execution.result.nodeOutput('Ask')[0].json).toEqual({ data: { approved: false, respondedAt: expect.any(String) } });
		expect(tg.sentMessages(TG_CHAT).map((m) => m.text)).toEqual([CONFIRM, expect.stringMatching(/^After: \{"approved":false,/)]);
	});

	it('a changed link is refused by n8n’s signature check and starts nothing', async () => {
		const execution = await startAsking(emulators, 'telegram', TG_CHAT, { message: CONFIRM });
		const [question] = emulators.tg.sentMessages(TG_CHAT);
		const url = (question.reply_markup as { inline_keyboard: Array<Array<{ url: string }>> }).inline_keyboard[0][0].url;
		const call = await execution.request({ url: url.replace('approved=true', 'approved=false'), ...browser });
		expect(call.response.status).toBe(401);
		expect(call.resumed).toBe(false);
		expect(execution.status).toBe('waiting');
	});

	it('two answers at the same moment: one counts, the other gets an error and resumes nothing', async () => {
		const { tg } = emulators;
		const execution = await startAsking(emulators, 'telegram', TG_CHAT, { message: CONFIRM, ...double });
		const [question] = tg.sentMessages(TG_CHAT);
		const [yes, no] = (question.reply_markup as { inline_keyboard: Array<Array<{ url: string }>> }).inline_keyboard[0];
		const calls = await Promise.all([execution.request({ url: yes.url, ...browser }), execution.request({ url: no.url, ...browser })]);
		expect(calls.filter((c) => c.resumed)).toHaveLength(1);
		const winner = calls.find((c) => c.resumed)!;
		const loser = calls.find((c) => !c.resumed)!;
		expect(winner.response.status).toBe(200);
		expect(winner.response.body).toContain('Got it, thanks');
		expect(loser.response.status).toBeGreaterThanOrEqual(400);
		expect(loser.response.body).not.toContain('Got it, thanks');
		expect(execution.results).toHaveLength(2);
		expect(tg.sentMessages(TG_CHAT).filter((m) => m.text?.startsWith('After: '))).toHaveLength(1);
		// a later answer: n8n's "no action required"
		const later = await execution.request({ url: yes.url, ...browser });
		expect(later.resumed).toBe(false);
	});
});

describe('Send and Wait for Response (Chat Channel): WhatsApp', () => {
	it('approval: the links are lines of the text', async () => {
		const { tw } = emulators;
		const execution = await startAsking(emulators, 'whatsapp', CUSTOMER, { message: CONFIRM, ...double });
		expectWaiting(execution);
		const [question] = tw.messagesTo(CUSTOMER);
		expect(question.body.startsWith(`${CONFIRM}\n\n`)).toBe(true);
		const links = linksInText(question.body);
		expect(Object.keys(links)).toEqual(['Yes, confirm', 'No']);
		expect(links['Yes, confirm']).toMatch(signedLink(execution, 'true'));
		const call = await execution.request({ url: links['Yes, confirm'], ...browser });
		expect(call.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json).toMatchObject({ data: { approved: true } });
	});

	it('free text: a Respond link to the form page; the form’s answer resumes with the text', async () => {
		const { tw } = emulators;
		const execution = await startAsking(emulators, 'whatsapp', CUSTOMER, { message: 'Which time suits you?', responseType: 'freeText' });
		expectWaiting(execution);
		const [question] = tw.messagesTo(CUSTOMER);
		const links = linksInText(question.body);
		expect(Object.keys(links)).toEqual(['Respond']);
		const page = await execution.request({ url: links.Respond, ...browser });
		expect(page.response.status).toBe(200);
		expect(page.response.body).toContain('<form');
		expect(page.response.body).toContain('Which time suits you?');
		expect(page.resumed).toBe(false);
		const call = await execution.request({ url: links.Respond, method: 'POST', ...formBody({ 'field-0': 'Thursday after 4 <pm>' }) });
		expect(call.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json).toEqual({ data: { text: 'Thursday after 4 <pm>', respondedAt: expect.any(String) } });
		expect(tw.messagesTo(CUSTOMER).map((m) => m.body)).toEqual([question.body, expect.stringMatching(/^After: \{"text":"Thursday after 4 <pm>"/)]);
	});
});

describe('Send and Wait for Response (Chat Channel): Messenger', () => {
	let waiting: WaitingWebhooks;
	beforeEach(async () => {
		waiting = await new WaitingWebhooks().start();
	});
	afterEach(async () => await waiting.stop());

	async function startTrigger() {
		const workflow = {
			id: 'wf-messenger-in',
			name: 'Messenger in',
			nodes: [
				{
					id: 'n1',
					name: 'Chat Channel Trigger',
					type: 'n8n-nodes-teamspirit.chatChannelTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId: '7d4c9f20-8e3b-4a9e-9b77-3b3b2c2d2e2f',
					parameters: { channel: 'messenger' },
					credentials: { teamSpiritMessengerApi: { id: '3', name: 'Page' } },
				},
			],
			connections: {},
		};
		const hook = await startWebhookTrigger({
			workflow: workflow as unknown as WorkflowJson,
			nodeTypes: { 'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritMessengerApi()],
			credentials: { teamSpiritMessengerApi: emulators.fb.credentialData() },
			baseUrl: waiting.url,
		});
		await hook.activate();
		return hook;
	}

	it('approval: quick replies carry n8n-wait: + the signed link; the tap, relayed by the trigger, resumes the execution', async () => {
		const { fb } = emulators;
		const execution = await startAsking(emulators, 'messenger', PSID, { message: CONFIRM, ...double }, waiting.url);
		waiting.execution = execution;
		expectWaiting(execution);
		const [question] = fb.messagesTo(PSID);
		expect(question.text).toBe(CONFIRM);
		expect(question.quickReplies!.map((q) => q.title)).toEqual(['Yes, confirm', 'No']);
		const payload = String(question.quickReplies![1].payload);
		expect(payload.startsWith('n8n-wait:')).toBe(true);
		expect(payload.slice('n8n-wait:'.length)).toMatch(signedLink(execution, 'false'));

		const hook = await startTrigger();
		try {
			const tap = fb.messageEvent(PSID, { text: 'No', quickReplyPayload: payload });
			const body = JSON.stringify({ object: 'page', entry: [{ id: fb.pageId, time: Date.now(), messaging: [tap] }] });
			const delivery = await hook.request(metaRequest(fb.appSecret, body));
			await hook.settled();
			expect(delivery.response.status).toBe(200);
			expect(delivery.started).toBe(false);
		} finally {
			await hook.close();
		}
		expect(execution.status).toBe('success');
		expect(execution.result.nodeOutput('Ask')[0].json).toEqual({
			data: { approved: false, respondedAt: expect.any(String), by: { channel: 'messenger', conversationId: PSID, id: PSID, name: expect.any(String) } },
		});
		expect(fb.messagesTo(PSID).map((m) => m.text)).toEqual([
			CONFIRM,
			expect.stringMatching(/^After: \{"approved":false,/),
			'Thanks, your answer was recorded.',
		]);
	});

	it('custom form: the link to the form is in the text (quick replies cannot open a page)', async () => {
		const { fb } = emulators;
		const execution = await startAsking(emulators, 'messenger', PSID, {
			message: 'Tell us about your visit',
			responseType: 'customForm',
			formFields: { values: [{ fieldLabel: 'Rating', fieldType: 'number', requiredField: true }] },
		});
		const [question] = fb.messagesTo(PSID);
		expect(question.quickReplies).toBeNull();
		const links = linksInText(question.text!);
		expect(Object.keys(links)).toEqual(['Respond']);
		const call = await execution.request({ url: links.Respond, method: 'POST', ...formBody({ 'field-0': '5' }) });
		expect(call.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json).toMatchObject({ data: { Rating: 5 } });
	});
});

describe('Send and Wait for Response (Chat Channel): time limit and bad input', () => {
	it('Limit Wait Time: the execution goes on with the input items when the time is up', async () => {
		const execution = await startAsking(emulators, 'telegram', TG_CHAT, {
			message: CONFIRM,
			options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' } } },
		});
		const until = execution.waitTill!.getTime();
		expect(until).toBeGreaterThan(Date.now() + 119 * 60_000);
		expect(until).toBeLessThanOrEqual(Date.now() + 120 * 60_000);
		const result = await execution.timeOut();
		expect(result.status).toBe('success');
		expect(result.nodeOutput('Ask').map((i) => i.json)).toEqual([{ conversationId: TG_CHAT }]);
	});

	it('an empty message or a bad conversation is an error before anything is sent', async () => {
		const empty = await startAsking(emulators, 'telegram', TG_CHAT, { message: '  ' });
		expect(empty.status).toBe('error');
		expect(empty.result.error?.message).toBe('The message is empty');
		const bad = await startAsking(emulators, 'whatsapp', 'not-a-number', { message: CONFIRM });
		expect(bad.status).toBe('error');
		expect(bad.result.error?.message).toMatch(/is not a WhatsApp \(Twilio\) conversation ID/);
		expect(emulators.tg.sentMessages()).toEqual([]);
		expect(emulators.tw.messages).toEqual([]);
	});
});
