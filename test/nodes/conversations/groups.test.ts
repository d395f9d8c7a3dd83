/**
 * Telegram groups in customer conversations, through the example: by default a group is not a
 * customer (its messages are skipped, no chat is made); with *Group Chats: Bridge* a group is one
 * conversation chat titled with the group's name, and every message shows who wrote it.
 */
import { conversationKey } from '../../../nodes/conversations/keys';
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { adapters } from '../../../nodes/channels';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { telegramOf } from './drivers/telegram';
import { shown, startBridge, type Bridge } from './setup';

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const GROUP = -2001;
const SUPERGROUP = -1002003004005;
const gina = { id: 301, first_name: 'Gina', last_name: 'Group', username: 'gina' };
const mallory = { id: 302, first_name: '[Win](http://evil.test)', last_name: '@olga\u202E' };

/** Someone writes in a Telegram group (or supergroup) the bot is in. */
async function groupWrites(
	from: IDataObject,
	text: string,
	chat: { id: number; type: 'group' | 'supergroup'; title: string } = {
		id: GROUP,
		type: 'group',
		title: 'Parents of 4b',
	},
) {
	const update = telegramOf(bridge).pushMessage({
		chatId: chat.id,
		chatType: chat.type,
		text,
		from,
		extra: { chat },
	});
	await bridge.settle();
	return String((update.message as IDataObject).message_id);
}

const groupKey = (id: number) =>
	conversationKey('telegram', bridge.driver.account, String(id), bridge.ts.apiKey);
const forwarded = () =>
	bridge.started().customer.map((call) => call.run!.nodeOutput('Forward to TeamSpirit')[0].json);
/** What the operator reads, without the word joiner that keeps `@olga` from being a mention. */
const read = (markdown: string) => shown(markdown).replaceAll('\u2060', '');

describe('Customer conversations (telegram): groups', () => {
	it('by default a group’s messages make no chat and are skipped with a reason; its members’ private chats are forwarded as before', async () => {
		bridge = await startBridge('telegram');
		await groupWrites(gina, 'Hi all');
		await groupWrites(mallory, 'Me too', {
			id: SUPERGROUP,
			type: 'supergroup',
			title: 'Big group',
		});

		expect(bridge.ts.chatByKey(groupKey(GROUP))).toBeUndefined();
		expect(bridge.ts.chatByKey(groupKey(SUPERGROUP))).toBeUndefined();
		expect(
			bridge.ts.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/chats')),
		).toEqual([]);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual(['success', 'success']);
		expect(forwarded()).toEqual([
			{
				action: 'skipped',
				reason: expect.stringMatching(/group chat: only private chats are forwarded/),
				event: 'message',
			},
			{
				action: 'skipped',
				reason: expect.stringMatching(/group chat: only private chats are forwarded/),
				event: 'message',
			},
		]);

		// Gina writes to the bot herself: her own conversation, titled with her name
		telegramOf(bridge).pushMessage({ chatId: gina.id, text: 'Hello privately', from: gina });
		await bridge.settle();
		const own = bridge.ts.chatByKey(groupKey(gina.id));
		expect(own?.title).toBe('Telegram · Gina Group');
		expect(bridge.ts.messagesIn(own!.id).map((m) => shown(m.text))).toEqual(['Hello privately']);
	});

	it('with Group Chats: Bridge, a group is one chat titled with the group’s name, each message names its writer literally, and operators answer the group', async () => {
		bridge = await startBridge('telegram', { forwardOptions: { groupChats: 'bridge' } });
		const chatOfGroup = { id: GROUP, type: 'group' as const, title: 'Parents of 4b\u202E\u200B' };
		await groupWrites(mallory, 'I was first', chatOfGroup);
		await groupWrites(gina, 'Hi all', chatOfGroup);

		const chat = bridge.ts.chatByKey(groupKey(GROUP))!;
		expect(chat).toMatchObject({
			title: 'Telegram · Parents of 4b',
			metadata: {
				channel: 'telegram',
				conversationId: String(GROUP),
				conversationType: 'group',
				customer: { id: String(GROUP), name: 'Parents of 4b' },
			},
		});
		const messages = bridge.ts.messagesIn(chat.id);
		expect(messages.map((m) => read(m.text))).toEqual([
			'<b>[Win](http://evil.test) @olga:</b>\nI was first',
			'<b>Gina Group:</b>\nHi all',
		]);
		expect(messages.map((m) => m.text).join('\n')).not.toMatch(/(?<![A-Za-z0-9_])@olga/);

		const { message } = await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
			text: 'Hello everyone',
			format: 'plain',
		});
		await bridge.settle();
		expect(bridge.ts.message(message.id)).toBeDefined();
		expect(telegramOf(bridge).sentMessages(String(GROUP)).map((m) => m.text)).toEqual([
			'Hello everyone',
		]);
	});

	it('the editor offers Group Chats only for channels whose adapter has groups (Telegram, …)', () => {
		const options = new ChatChannel().description.properties.filter(
			(p) => p.name === 'conversationOptions',
		);
		const forward = options.find((p) =>
			(p.displayOptions?.show?.operation as string[] | undefined)?.includes('toTeamSpirit'),
		)!;
		const groupChats = (forward.options as INodeProperties[]).find((o) => o.name === 'groupChats')!;
		expect(groupChats).toMatchObject({ default: 'ignore' });
		const withGroups = Object.values(adapters)
			.filter((adapter) => adapter.conversation.groups)
			.map((adapter) => adapter.name);
		expect(withGroups).toContain('telegram');
		expect(groupChats.displayOptions?.show?.['/channel']).toEqual(withGroups);
	});
});
