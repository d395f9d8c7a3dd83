/**
 * TeamSpirit → Message → Send and Wait for Response through n8n-core's real WorkflowExecute: the
 * execution waits, a signed link (or form) of the wait message resumes it, exactly once.
 */
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { Execution } from '../../harness';
import { PAGE_CSP } from '../../../nodes/shared/sendAndWait/pages';
import {
	ASK_NODE_ID,
	BROWSER,
	formBody,
	linksOf,
	patchBarrier,
	startWaiting,
	waitMessage,
} from './send-and-wait-setup';

jest.setTimeout(60_000);

let ts: TeamSpiritEmulator;
beforeAll(async () => {
	ts = await TeamSpiritEmulator.start();
	ts.addChat({ id: 'c_ops', title: 'Ops' });
});
afterAll(async () => await ts.stop());

const browser = { headers: { 'user-agent': BROWSER } };
const afterTexts = () =>
	ts
		.messagesIn('c_ops')
		.filter((m) => m.text.startsWith('After: '))
		.map((m) => m.text);

/** Asserts the execution waits for Ask: the wait message posted, nothing after Ask ran. */
function expectWaiting(execution: Execution) {
	expect(execution.status).toBe('waiting');
	expect(execution.result.executionOrder).not.toContain('After');
	const message = waitMessage(ts, 'c_ops', execution.id);
	expect(message.externalKey).toBe(`wait:${execution.id}:${ASK_NODE_ID}`);
	expect(message.format).toBe('markdown');
	return message;
}

describe('Send and Wait for Response (TeamSpirit)', () => {
	it('approve: the execution waits, the signed Approve link resumes it, the message shows the outcome', async () => {
		const before = afterTexts().length;
		const execution = await startWaiting(ts, 'c_ops', { message: 'Deploy **v2** to production?' });
		expect(execution.waitTill?.getTime()).toBe(WAIT_INDEFINITELY.getTime());
		const message = expectWaiting(execution);
		expect(message.text.startsWith('Deploy **v2** to production?\n\n')).toBe(true);
		const links = linksOf(message.text);
		expect(Object.keys(links)).toEqual(['Approve']);
		expect(links.Approve).toMatch(new RegExp(`^http://localhost:5678/webhook-waiting/${execution.id}/${ASK_NODE_ID}\\?approved=true&signature=[0-9a-f]{64}$`));

		const call = await execution.request({ url: links.Approve, ...browser });
		expect(call.response.status).toBe(200);
		expect(call.response.headers['content-security-policy']).toBe(PAGE_CSP);
		expect(call.response.body).toContain('Got it, thanks');
		expect(call.resumed).toBe(true);
		expect(execution.status).toBe('success');
		const [answer] = execution.result.nodeOutput('Ask');
		expect(answer.json).toEqual({ data: { approved: true, respondedAt: expect.any(String) } });
		expect(afterTexts().slice(before)).toEqual(['After: {"approved":true,"respondedAt":' + JSON.stringify((answer.json.data as { respondedAt: string }).respondedAt) + '}']);

		const answered = waitMessage(ts, 'c_ops', execution.id);
		expect(answered.externalKey).toBe(`answered:${execution.id}:${ASK_NODE_ID}`);
		expect(answered.text).toBe('Deploy **v2** to production?\n\n✅ Approved');

		// the link again, once the execution ended: n8n's "no action required", nothing resumed
		const again = await execution.request({ url: links.Approve, ...browser });
		expect(again.resumed).toBe(false);
	});

	it('decline: Approve and Disapprove with own labels; Decline resumes with approved false', async () => {
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Refund order 42?',
			approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes [refund]', disapproveLabel: 'No' } },
		});
		const links = linksOf(expectWaiting(execution).text);
		expect(Object.keys(links)).toEqual(['Yes [refund]', 'No']);
		expect(links.No).toContain('approved=false');

		const call = await execution.request({ url: links.No, ...browser });
		expect(call.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json.data).toMatchObject({ approved: false });
		expect(waitMessage(ts, 'c_ops', execution.id).text).toBe('Refund order 42?\n\n❌ Declined');
	});

	it('a link changed by hand (approved=false in an Approve link) is refused and resumes nothing', async () => {
		const execution = await startWaiting(ts, 'c_ops', { message: 'Approve?' });
		const { Approve } = linksOf(expectWaiting(execution).text);
		const call = await execution.request({ url: Approve.replace('approved=true', 'approved=false'), ...browser });
		expect(call.response.status).toBe(401);
		expect(call.resumed).toBe(false);
		expect(execution.status).toBe('waiting');
	});

	it('link previews (a bot, no user agent) approve nothing; the person who clicks does', async () => {
		const execution = await startWaiting(ts, 'c_ops', { message: 'Approve?' });
		const { Approve } = linksOf(expectWaiting(execution).text);
		for (const headers of [{ 'user-agent': 'TelegramBot (like TwitterBot)' }, { 'user-agent': 'TeamSpirit-LinkPreview/1.0' }, { 'user-agent': 'node' }, {}] as Array<Record<string, string>>) {
			const preview = await execution.request({ url: Approve, headers });
			expect(preview.response.status).toBe(200);
			expect(preview.response.headers['content-security-policy']).toBe(PAGE_CSP);
			expect(preview.response.body).toContain('<form method="POST"><button type="submit">Approve</button></form>');
			expect(preview.resumed).toBe(false);
		}
		expect(execution.status).toBe('waiting');
		expect(waitMessage(ts, 'c_ops', execution.id).externalKey).toMatch(/^wait:/);

		expect((await execution.request({ url: Approve, ...browser })).resumed).toBe(true);
	});

	it.each([
		['Telegram on Android (in-app browser)', 'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.135 Mobile Safari/537.36 Telegram-Android/11.2.1 (Samsung SM-A536B; Android 13; SDK 33; AVERAGE)'],
		['Microsoft Teams desktop', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/24165.1410.2974.6689 Chrome/124.0.6367.243 Electron/30.1.2 Safari/537.36'],
		['a CUBOT phone', 'Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36'],
	])('a person in %s approves with the link itself', async (_name, agent) => {
		const execution = await startWaiting(ts, 'c_ops', { message: 'Approve?' });
		const { Approve } = linksOf(expectWaiting(execution).text);
		const call = await execution.request({ url: Approve, headers: { 'user-agent': agent } });
		expect(call.response.body).toContain('Got it, thanks');
		expect(call.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json.data).toMatchObject({ approved: true });
	});

	it("a suspected preview's page answers with one more tap: its button posts the link's own answer (labels from the node)", async () => {
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Refund?',
			approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes <refund>', disapproveLabel: 'No' } },
		});
		const { No } = linksOf(expectWaiting(execution).text);
		const headers = { 'user-agent': 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' };
		const preview = await execution.request({ url: No, headers });
		expect(preview.resumed).toBe(false);
		expect(preview.response.body).toContain('<form method="POST"><button type="submit">No</button></form>');
		expect(preview.response.body).not.toContain('refund');

		const tapped = await execution.request({ url: No, method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
		expect(tapped.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json.data).toMatchObject({ approved: false });
		expect(waitMessage(ts, 'c_ops', execution.id).text).toBe('Refund?\n\n❌ Declined');
	});

	it('free text: the Respond link shows an escaped form under the CSP; posting it resumes with the text', async () => {
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Why <script>alert(1)</script>?',
			responseType: 'freeText',
			options: { messageButtonLabel: 'Answer here', responseFormTitle: 'Your "reason"' },
		});
		const { 'Answer here': link } = linksOf(expectWaiting(execution).text);
		const form = await execution.request({ url: link, ...browser });
		expect(form.response.status).toBe(200);
		expect(form.response.headers['content-security-policy']).toBe(PAGE_CSP);
		expect(form.response.body).toContain('Why &lt;script&gt;alert(1)&lt;/script&gt;?');
		expect(form.response.body).not.toContain('<script');
		expect(form.response.body).toContain('Your &quot;reason&quot;');
		expect(form.response.body).toContain('<textarea id="field-0" name="field-0" required>');
		expect(form.resumed).toBe(false);

		const empty = await execution.request({ url: link, ...formBody({ 'field-0': '  ' }) });
		expect(empty.response.status).toBe(400);
		expect(empty.response.body).toContain('This field is required');
		expect(empty.resumed).toBe(false);

		const sent = await execution.request({ url: link, ...formBody({ 'field-0': 'Because <b>ops</b> said so' }) });
		expect(sent.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json.data).toEqual({ text: 'Because <b>ops</b> said so', respondedAt: expect.any(String) });
		expect(waitMessage(ts, 'c_ops', execution.id).text).toBe('Why <script>alert(1)</script>?\n\n💬 Answered');
	});

	it('custom form: invalid input shows the form again with the errors; valid input resumes with typed values', async () => {
		const field = (fieldLabel: string, fieldType: string, extra = {}) => ({ fieldLabel, fieldType, ...extra });
		const options = (...values: string[]) => ({ fieldOptions: { values: values.map((option) => ({ option })) } });
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Book the room',
			responseType: 'customForm',
			formFields: {
				values: [
					field('Name', 'text', { requiredField: true }),
					field('People', 'number'),
					field('Email', 'email'),
					field('Day', 'date'),
					field('Room', 'dropdown', options('Red', 'Blue')),
					field('Extras', 'checkbox', options('Coffee', 'Screen')),
				],
			},
		});
		const { Respond } = linksOf(expectWaiting(execution).text);
		const page = await execution.request({ url: Respond, ...browser });
		for (const name of ['field-0', 'field-1', 'field-2', 'field-3', 'field-4', 'field-5']) expect(page.response.body).toContain(`name="${name}"`);
		expect(page.response.body).toContain('<option value="Blue">Blue</option>');

		const invalid = await execution.request({
			url: Respond,
			...formBody({ 'field-1': 'many', 'field-2': 'nope', 'field-3': '2026-13-45', 'field-4': 'Green', 'field-5': ['Coffee', 'Beer'] }),
		});
		expect(invalid.response.status).toBe(400);
		for (const error of ['This field is required', 'Enter a number', 'Enter an email address', 'Enter a date', 'Choose one of the options']) {
			expect(invalid.response.body).toContain(error);
		}
		expect(invalid.response.body).toContain('value="many"');
		expect(invalid.resumed).toBe(false);
		expect(execution.status).toBe('waiting');

		const valid = await execution.request({
			url: Respond,
			...formBody({ 'field-0': 'Anna', 'field-1': '4', 'field-2': 'anna@example.com', 'field-3': '2026-12-24', 'field-4': 'Blue', 'field-5': ['Coffee', 'Screen'] }),
		});
		expect(valid.resumed).toBe(true);
		expect(execution.result.nodeOutput('Ask')[0].json.data).toEqual({
			Name: 'Anna',
			People: 4,
			Email: 'anna@example.com',
			Day: '2026-12-24',
			Room: 'Blue',
			Extras: ['Coffee', 'Screen'],
			respondedAt: expect.any(String),
		});
	});

	it('two answers at once: exactly one counts, the other gets the already-answered page', async () => {
		const proxy = await patchBarrier(ts.url, 2);
		try {
			const execution = await startWaiting(ts, 'c_ops', {
				message: 'Ship it?',
				approvalOptions: { values: { approvalType: 'double' } },
			}, { url: proxy.url, apiKey: ts.apiKey });
			const { Approve, Decline } = linksOf(expectWaiting(execution).text);
			const calls = await Promise.all([Approve, Decline].map(async (url) => await execution.request({ url, ...browser })));

			expect(calls.filter((c) => c.resumed)).toHaveLength(1);
			const winner = calls.findIndex((c) => c.resumed);
			const loser = calls[1 - winner];
			expect(calls[winner].response.body).toContain('Got it, thanks');
			expect(loser.response.status).toBe(409);
			expect(loser.response.body).toContain('Already answered');
			expect(execution.results).toHaveLength(2);
			const approved = winner === 0;
			expect(execution.result.nodeOutput('Ask')[0].json.data).toMatchObject({ approved });
			expect(waitMessage(ts, 'c_ops', execution.id).text).toBe(`Ship it?\n\n${approved ? '✅ Approved' : '❌ Declined'}`);
			expect(loser.response.body).toContain(approved ? '✅ Approved' : '❌ Declined');
		} finally {
			await proxy.stop();
		}
	});

	it("a claim whose PATCH was taken but whose answer was lost (the transport's retry gets 412) is won: the clicker's answer resumes", async () => {
		const execution = await startWaiting(ts, 'c_ops', { message: 'Lost answer?' });
		const { Approve } = linksOf(expectWaiting(execution).text);
		ts.failNext({ method: 'PATCH', path: /^\/api\/v1\/chats\/c_ops\/messages\//, status: 502, afterAccepting: true });

		const call = await execution.request({ url: Approve, ...browser });
		expect(call.response.body).toContain('Got it, thanks');
		expect(call.resumed).toBe(true);
		expect(execution.status).toBe('success');
		expect(execution.result.nodeOutput('Ask')[0].json.data).toMatchObject({ approved: true });
		expect(waitMessage(ts, 'c_ops', execution.id).text).toBe('Lost answer?\n\n✅ Approved');
	});

	it('the node asked again in the same execution (a loop): the new question is claimed beside the answered one', async () => {
		const execution = await startWaiting(ts, 'c_ops', { message: 'Second round?' });
		const { Approve } = linksOf(expectWaiting(execution).text);
		// the first round's question, answered: it holds the key answered:<execution>:<node>
		ts.addMessage('c_ops', { text: 'First round?\n\n✅ Approved', externalKey: `answered:${execution.id}:${ASK_NODE_ID}` });

		const call = await execution.request({ url: Approve, ...browser });
		expect(call.error).toBeUndefined();
		expect(call.resumed).toBe(true);
		expect(ts.messagesIn('c_ops').filter((m) => m.externalKey?.startsWith(`answered:${execution.id}:`))).toHaveLength(2);
		expect(ts.messagesIn('c_ops').find((m) => m.text.startsWith('Second round?'))).toMatchObject({
			text: 'Second round?\n\n✅ Approved',
			externalKey: expect.stringMatching(new RegExp(`^answered:${execution.id}:${ASK_NODE_ID}:m_`)),
		});
	});

	it('Limit Wait Time sets waitTill; when it passes, the node outputs its input items', async () => {
		const started = Date.now();
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Approve within 5 minutes',
			options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 5, resumeUnit: 'minutes' } } },
		});
		expectWaiting(execution);
		const waitTill = execution.waitTill!.getTime();
		expect(waitTill).toBeGreaterThanOrEqual(started + 5 * 60_000);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

		const before = afterTexts().length;
		const result = await execution.timeOut();
		expect(result.status).toBe('success');
		expect(result.nodeOutput('Ask').map((i) => i.json)).toEqual([{ order: 42 }, { order: 43 }]);
		expect(afterTexts().slice(before)).toEqual(['After: 42', 'After: 43']);
	});

	it('Limit Wait Time at a date that is not one fails before anything is posted', async () => {
		const count = ts.messagesIn('c_ops').length;
		const execution = await startWaiting(ts, 'c_ops', {
			message: 'Approve?',
			options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: 'tomorrow-ish' } } },
		});
		expect(execution.status).toBe('error');
		expect(execution.result.error?.message).toBe('Could not configure Limit Wait Time');
		expect(ts.messagesIn('c_ops')).toHaveLength(count);
	});
});
