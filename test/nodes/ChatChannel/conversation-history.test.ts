/**
 * Chat Channel → Conversation → Get Conversation History (the AI first line's tool): the
 * customer's conversation chats on the channel, each with its state and its last messages as
 * compact lines, read from TeamSpirit through the real engine and the emulator. Who wrote a line
 * comes from the message's sender and key; notes, commands and the bridge's notices stay out.
 */
import { conversationKey } from '../../../nodes/conversations/keys';
import { chatPick, startCentre, type Centre, type Chat } from './conversation-ops-setup';

let centre: Centre;
let anna: Chat;
let annaElsewhere: Chat;

const times = (t: Record<string, string>) => ({
	createdAt: null,
	firstCustomerMessageAt: null,
	lastCustomerMessageAt: null,
	firstResponseAt: null,
	lastOperatorMessageAt: null,
	resolvedAt: null,
	...t,
});

beforeAll(async () => {
	centre = await startCentre();
	const { ts, seed, alice, bob } = centre;
	anna = seed({
		conversationId: '1001',
		name: 'Anna',
		state: {
			status: 'resolved',
			owner: 'bot',
			queue: 'Support',
			assigneeId: alice.id,
			times: times({ createdAt: '2026-11-01T09:00:00.000Z', resolvedAt: '2026-11-01T10:00:00.000Z' }),
			rating: { score: 5, at: '2026-11-01T10:05:00.000Z' },
		},
	});
	const key = String(anna.externalKey);
	const bot = (text: string, externalKey: string | null, fileIds?: string[]) =>
		ts.addMessage(anna.id, { text, externalKey, ...(fileIds ? { fileIds } : {}) });
	const by = (user: { id: string }, text: string, externalKey: string | null = null) =>
		ts.addMessage(anna.id, { text, senderId: user.id, externalKey });
	bot('Where is my order?', `${key}#1`);
	bot('🤖 Hi Anna! An operator will answer shortly.', `notice:${anna.id}:greeting`);
	bot('🤖 It left the warehouse yesterday.', `bot:${key}#1`);
	bot('👤 Assigned to Alice Martin (least busy)', `notice:${anna.id}:assigned:3`);
	bot('🤖 Maybe a voucher instead?', `unsent:m_late`);
	bot('🙋 Handover: the customer asks for a refund', `notice:${anna.id}:handover:1`);
	bot('🤖 An operator will answer you shortly.', `handover:${anna.id}:1`);
	by(alice, 'I have refunded it.\nAnything else?', `${key}#2`);
	by(alice, '/note VIP customer', 'command:m_note');
	by(bob, '/take');
	by(alice, '# call back tomorrow', 'command:m_prefix');
	bot('📝 Note by the workflow "Escalations": check the refund', `note:${anna.id}:abc`);
	bot('✅ Resolved by Alice Martin: refunded', 'notice:m_resolve:command');
	bot('🤖 Given back to the bot by Alice Martin: it answers the customer again', 'notice:m_bot:command');
	bot('🤖 Anything else I can do?', `${key}#5`);
	const receipt = ts.addFile({ name: 'receipt.pdf', content: Buffer.from('%PDF') });
	bot('', `${key}#3`, [receipt.id]);
	bot('Thanks!', `${key}#4`);

	// the same customer at another bot of the channel: a conversation of their own
	annaElsewhere = ts.addChat({
		title: 'Telegram · Anna',
		externalKey: conversationKey('telegram', '888000', '1001', ts.apiKey),
		metadata: {
			channel: 'telegram',
			account: '888000',
			conversationId: '1001',
			customer: { id: '1001', name: 'Anna' },
			status: 'open',
			times: { createdAt: '2026-12-01T09:00:00.000Z', lastCustomerMessageAt: '2026-12-01T09:00:00.000Z' },
		},
	});
	ts.addMessage(annaElsewhere.id, {
		text: 'Hello from the other bot',
		externalKey: `${String(annaElsewhere.externalKey)}#7`,
	});
	// neither a chat that only looks like hers nor another customer's is her history
	const forged = seed({ conversationId: '1001', name: 'Anna', forged: true });
	ts.addMessage(forged.id, { text: 'planted', externalKey: `${String(forged.externalKey)}#1` });
	const boris = seed({ conversationId: '1002', name: 'Boris' });
	ts.addMessage(boris.id, { text: 'not Anna', externalKey: `${String(boris.externalKey)}#1` });
});

afterAll(async () => {
	await centre?.stop();
});

describe('Get Conversation History', () => {
	it("gives the customer's conversations with their state and last lines: customer, bot, operators; no notes, commands or notices", async () => {
		const { output, error } = await centre.run({
			operation: 'getHistory',
			chatId: chatPick(anna),
		});
		expect(error).toBeUndefined();
		expect(output).toEqual([
			{
				channel: 'telegram',
				conversationId: '1001',
				customer: { id: '1001', name: 'Anna' },
				conversations: [
					{
						chatId: anna.id,
						account: '777000',
						status: 'resolved',
						owner: 'bot',
						queue: 'Support',
						assigneeId: centre.alice.id,
						rating: { score: 5, at: '2026-11-01T10:05:00.000Z' },
						times: times({
							createdAt: '2026-11-01T09:00:00.000Z',
							resolvedAt: '2026-11-01T10:00:00.000Z',
						}),
						messages: [
							'customer: Where is my order?',
							'bot: Hi Anna! An operator will answer shortly.',
							'bot: It left the warehouse yesterday.',
							'(handed over to an operator: the customer asks for a refund)',
							'bot: An operator will answer you shortly.',
							'operator Alice Martin: I have refunded it. Anything else?',
							'(resolved)',
							'bot: Anything else I can do?',
							'customer: [files: receipt.pdf]',
							'customer: Thanks!',
						],
					},
					{
						chatId: annaElsewhere.id,
						account: '888000',
						status: 'open',
						owner: 'operator',
						queue: null,
						assigneeId: null,
						rating: null,
						times: times({
							createdAt: '2026-12-01T09:00:00.000Z',
							lastCustomerMessageAt: '2026-12-01T09:00:00.000Z',
						}),
						messages: ['customer: Hello from the other bot'],
					},
				],
			},
		]);
	});

	it('gives only the last lines asked for', async () => {
		const { output } = await centre.run({
			operation: 'getHistory',
			chatId: chatPick(anna),
			messages: 3,
		});
		const [first] = (output![0].conversations as Array<{ messages: string[] }>) ?? [];
		expect(first.messages).toEqual([
			'bot: Anything else I can do?',
			'customer: [files: receipt.pdf]',
			'customer: Thanks!',
		]);
	});

	it('is an error for a chat that is not a conversation, and Continue On Fail goes on', async () => {
		const team = centre.ts.addChat({ title: 'Team' });
		const { output } = await centre.run(
			{ operation: 'getHistory', chatId: chatPick(team) },
			{ continueOnFail: true },
		);
		expect(output).toEqual([{ error: 'The chat "Team" is not a customer conversation' }]);
	});
});
