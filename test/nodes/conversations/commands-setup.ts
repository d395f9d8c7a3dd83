/**
 * What the operator-command engine tests share: the Telegram (or another channel's) conversation
 * example with two queues in Forward to TeamSpirit's Contact Centre, operators typing in a
 * customer's chat, and what TeamSpirit then holds.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Message } from '../../emulators/teamspirit';
import { startBridge, type Bridge, type BridgeOptions, type Channel, type Customer } from './setup';

/** The bridge with queues Support (manual, both operators) and Sales (round robin, Oskar). */
export async function startCommands(
	channel: Channel = 'telegram',
	support: IDataObject = {},
	options: BridgeOptions = {},
): Promise<{ bridge: Bridge; canned: string; team: string }> {
	const chats = { canned: '', team: '' };
	const bridge = await startBridge(channel, {
		...options,
		forwardParameters: ([olga, oskar], ts) => {
			chats.canned = ts.addChat({ title: 'Canned replies', memberIds: [olga.id] }).id;
			chats.team = ts.addChat({ title: 'Support team', memberIds: [olga.id, oskar.id] }).id;
			const rl = (id: string) => ({ __rl: true, mode: 'id', value: id });
			return {
				contactCentre: {
					queues: [
						{
							name: 'Support',
							operators: [olga.id, oskar.id],
							routing: 'manual',
							announceChat: rl(chats.team),
							cannedChat: rl(chats.canned),
							notePrefix: '#',
							timeZone: 'Europe/Berlin',
							...support,
						},
						{ name: 'Sales', operators: [oskar.id], routing: 'roundRobin', timeZone: 'UTC' },
					],
				},
			};
		},
	});
	for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });
	return { bridge, ...chats };
}

/** An operator types in the customer's chat; resolves when the bridge is done with it. */
export async function types(b: Bridge, customer: Customer, text: string, operator = b.operator) {
	const chat = b.chatOf(customer)!;
	const { message } = await b.ts.postAsUser(chat.id, operator.id, { text, format: 'plain' });
	await b.settle();
	return b.ts.message(message.id)!;
}

/** The conversation's state as TeamSpirit holds it. */
export const stateOf = (b: Bridge, customer: Customer) =>
	b.ts.chat(b.chatOf(customer)!.id)!.metadata as IDataObject;

/** The bot's answers to commands in the customer's chat, oldest first. */
export const answers = (b: Bridge, customer: Customer) =>
	b
		.messagesOf(customer)
		.filter((m: Message) => /^notice:.*:command$/.test(m.externalKey ?? ''))
		.map((m) => m.text);
