/**
 * Issue 23: operators answer website visitors "with everything the other channels have". The
 * contact centre, operator commands, the AI first line and Send and Wait over Website Chat,
 * through examples/website-conversations.json and the engine (./setup.ts), the visitors driven
 * through the widget's endpoints (./drivers/website.ts). What the visitor gets is read as the
 * widget reads it: the trigger's `GET messages`.
 */
import type { IDataObject } from 'n8n-workflow';

import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { startExecution, type WorkflowJson } from '../../harness';
import { BROWSER, linksInText } from '../ChatChannel/send-and-wait-setup';
import { agentRuns, BOT_FIRST, chatLines, customerAsks, startAi } from './ai-ownership-setup';
import { notices, startCentre, stateIn } from './centre-setup';
import { answers, startCommands, types } from './commands-setup';
import { widgetOf } from './drivers/website';
import type { Bridge, Customer } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const CHANNEL = 'website';
const OLGA = 'Olga Operator';

/** The operators' and the bot's texts the visitor's widget shows, oldest first. */
const shownTo = async (customer: Customer) =>
	(await widgetOf(bridge, customer)).messages.filter((m) => m.from === 'agent').map((m) => m.text);

describe('Contact centre over Website Chat', () => {
	it('a new visitor is greeted once in the widget and routed (round robin): each conversation assigned, the assignee a member', async () => {
		bridge = await startCentre(
			{ routing: 'roundRobin', greeting: 'Hi {customer}! Someone will be with you shortly.' },
			{ channel: CHANNEL },
		);
		const [anna, boris] = [
			bridge.newCustomer('Anna', 'Petrova'),
			bridge.newCustomer('Boris', 'Ivanov'),
		];
		await bridge.write(anna, 'Hello');
		await bridge.write(anna, 'My order is late');
		await bridge.write(boris, 'Hi, Boris here');

		expect(await shownTo(anna)).toEqual(['Hi Anna Petrova! Someone will be with you shortly.']);
		expect(await shownTo(boris)).toEqual(['Hi Boris Ivanov! Someone will be with you shortly.']);
		const [olga, oskar] = bridge.operators;
		expect([stateIn(bridge, anna), stateIn(bridge, boris)]).toEqual([
			expect.objectContaining({ status: 'open', greeted: true, assigneeId: olga.id }),
			expect.objectContaining({ status: 'open', greeted: true, assigneeId: oskar.id }),
		]);
		expect(bridge.chatOf(boris)!.memberIds).toContain(oskar.id);
		expect(notices(bridge, boris)).toContain('👤 Assigned to Oskar Operator (round robin)');
	});

	it('out of business hours the away reply reaches the visitor’s widget, once; the conversation waits (pending)', async () => {
		const today = new Date().toISOString().slice(0, 10);
		bridge = await startCentre(
			{
				routing: 'roundRobin',
				timeZone: 'UTC',
				holidays: today,
				awayReply: "We're closed. We answer from {opening}.",
				awayQuietMinutes: 30,
			},
			{ channel: CHANNEL },
		);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await bridge.write(anna, 'Anyone?');

		expect(await shownTo(anna)).toEqual([
			expect.stringMatching(/^We're closed\. We answer from \w{3} \d{1,2} \w{3}, 00:00\.$/),
		]);
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'pending', assigneeId: null });
	});
});

describe('Operator commands over Website Chat', () => {
	it('a canned reply reaches the visitor, a note does not; /resolve sends the closing message and the rating question, and the visitor’s answer is recorded as the rating', async () => {
		const started = await startCommands(CHANNEL, {
			closingMessage: 'Thanks for writing to us!',
			askRating: true,
			ratingQuestion: 'How did we do?',
		});
		bridge = started.bridge;
		bridge.ts.addMessage(started.canned, {
			senderId: bridge.operator.id,
			text: 'thanks: Thank you, {customer}! {operator} from the support team.',
		});
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello, my order is late');

		await types(bridge, anna, '/take');
		await types(bridge, anna, '/r thanks');
		await types(bridge, anna, '# VIP customer, be nice');
		await types(bridge, anna, '/note she called twice already');
		expect(await shownTo(anna)).toEqual([
			`Thank you, Anna Petrova! ${OLGA} from the support team.`,
		]);

		await types(bridge, anna, '/resolve refund issued');
		expect(await shownTo(anna)).toEqual([
			`Thank you, Anna Petrova! ${OLGA} from the support team.`,
			'Thanks for writing to us!',
			// no buttons in the widget: the question says how to answer
			'How did we do?\nReply with a number from 1 to 5.',
		]);
		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'resolved',
			ratingAskedAt: expect.any(String),
		});

		await bridge.write(anna, '4');
		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'resolved',
			rating: { score: 4, at: expect.any(String) },
			ratingAskedAt: null,
		});
		expect(notices(bridge, anna)).toContain('⭐ Rated 4/5');
		expect(answers(bridge, anna)).toContain('↩️ Canned reply "thanks" sent');
		// the visitor's own messages are in the widget as sent, the notes nowhere
		const view = await widgetOf(bridge, anna);
		expect(view.messages.filter((m) => m.from === 'visitor').map((m) => m.text)).toEqual([
			'Hello, my order is late',
			'4',
		]);
		expect(JSON.stringify(view)).not.toMatch(/VIP|called twice/);
	});
});

describe('AI first line over Website Chat', () => {
	it('the agent answers the visitor, then hands over: the handover message reaches the widget and an operator gets the conversation', async () => {
		({ bridge } = await startAi(BOT_FIRST, {}, CHANNEL));
		const [olga, oskar] = bridge.operators;
		bridge.ts.setStatus(olga.id, { status: 'away' });
		const anna = bridge.newCustomer('Anna', 'Petrova');

		const question = await customerAsks(bridge, anna, 'Where is my order?');
		expect(await agentRuns(bridge, 'Reply as Bot', question)).toMatchObject({
			sent: true,
			action: 'sent',
		});
		const refund = await customerAsks(bridge, anna, 'I want my money back');
		expect(await agentRuns(bridge, 'Hand Over', refund)).toMatchObject({
			handedOver: true,
			owner: 'operator',
			routed: 'assigned',
		});

		expect(await shownTo(anna)).toEqual([
			'Bot: Where is my order?',
			'A colleague will answer you in a minute.',
		]);
		expect(stateIn(bridge, anna)).toMatchObject({
			owner: 'operator',
			status: 'open',
			assigneeId: oskar.id,
		});
		expect(chatLines(bridge, anna)).toContain('bot: 🙋 Handover: The customer asks for a refund');
	});
});

describe('Send and Wait for Response to a website visitor', () => {
	it('the question with its answer links reaches the widget; the visitor opening one resumes the workflow with the answer', async () => {
		bridge = await startCentre({ routing: 'roundRobin' }, { channel: CHANNEL });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Can I come tomorrow at 10?');

		const execution = await startExecution({
			workflow: askVisitor(anna.conversationId),
			nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': new ChatChannel() },
			credentialTypes: bridge.credentialTypes,
			credentials: bridge.credentials,
		});
		expect(execution.status).toBe('waiting');
		const [question] = await shownTo(anna);
		expect(question).toMatch(/^Confirm your appointment tomorrow at 10\?\n\n/);
		const links = linksInText(question);
		expect(Object.keys(links)).toEqual(['Yes, confirm', 'No']);

		// the widget shows the link; the visitor opens it in their browser
		const call = await execution.request({
			url: links['Yes, confirm'],
			headers: { 'user-agent': BROWSER },
		});
		expect(call.resumed).toBe(true);
		expect(execution.status).toBe('success');
		expect(execution.result.nodeOutput('Ask')[0].json).toEqual({
			data: { approved: true, respondedAt: expect.any(String) },
		});
		expect((await shownTo(anna)).slice(1)).toEqual([
			expect.stringMatching(/^After: \{"approved":true,/),
		]);
	});
});

/** Items (the visitor) → Ask (Send and Wait, approve or decline) → After (the answer to the visitor). */
function askVisitor(conversationId: string): WorkflowJson {
	const link = (node: string) => ({ main: [[{ node, type: 'main' as const, index: 0 }]] });
	const chatNode = (name: string, id: string, parameters: IDataObject, x: number) => ({
		id,
		name,
		type: 'n8n-nodes-teamspirit.chatChannel',
		typeVersion: 1,
		position: [x, 0] as [number, number],
		parameters: { channel: CHANNEL, resource: 'message', ...parameters },
		credentials: { teamSpiritWebsiteApi: { id: 'website', name: 'Website chat' } },
	});
	return {
		id: 'wf-ask-visitor',
		name: 'Ask a website visitor',
		nodes: [
			{
				id: 'm',
				name: 'Manual',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'i',
				name: 'Items',
				type: 'teamspiritTest.items',
				typeVersion: 1,
				position: [200, 0],
				parameters: { items: JSON.stringify([{ conversationId }]) },
			},
			chatNode(
				'Ask',
				'c0a5a17e-0000-4000-8000-0000000a5c23',
				{
					operation: 'sendAndWait',
					conversationId,
					message: 'Confirm your appointment tomorrow at 10?',
					approvalOptions: {
						values: { approvalType: 'double', approveLabel: 'Yes, confirm', disapproveLabel: 'No' },
					},
				},
				400,
			),
			chatNode(
				'After',
				'c0a5a17e-0000-4000-8000-0000000af723',
				{
					operation: 'send',
					conversationId,
					text: '=After: {{ JSON.stringify($json.data) }}',
				},
				600,
			),
		],
		connections: { Manual: link('Items'), Items: link('Ask'), Ask: link('After') },
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}
