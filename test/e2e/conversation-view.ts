/**
 * What the e2e suites of customer conversations read back, shared: polling for a condition with the
 * diagnostics of the suite, waiting for n8n's executions to settle, and the conversation chats as
 * TeamSpirit holds them (found by their `externalKey`, the bridge's own posts and its ⚠️ notices).
 */
import type { Chat, Message, TeamSpiritEmulator } from '../emulators/teamspirit';
import type { ExecutionSummary, N8nEditor } from './n8n';
import { conversationKey } from '../../nodes/conversations/keys';

/**
 * The key the bridge gives the chat of `<channel>:<account>:<conversation>`: signed with the
 * TeamSpirit credential's secret, here the emulator's API key (no Conversation Secret set).
 */
export function signedKey(base: string, emulator: { apiKey: string }): string {
	const [channel, account, ...rest] = base.split(':');
	return conversationKey(channel, account, rest.join(':'), emulator.apiKey);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 100 ms until it gives a value; on timeout throws with `diagnostics()`. */
export async function waitUntil<T>(
	what: string,
	probe: () => T | undefined | false | null,
	timeoutMs: number,
	diagnostics: () => string,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
		await sleep(100);
	}
}

/** Waits until none of the newest executions is new, running or waiting; returns them. */
export async function executionsSettled(
	editor: N8nEditor,
	diagnostics: () => string,
	timeoutMs = 60_000,
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = await editor.executions(100);
		if (list.every((e) => !['new', 'running', 'waiting'].includes(e.status))) return list;
		if (Date.now() > deadline)
			throw new Error(`executions: ${JSON.stringify(list)}\n${diagnostics()}`);
		await sleep(250);
	}
}

/** The conversation chats of the TeamSpirit emulator `emulator()` returns (set up in beforeAll). */
export function conversationView(emulator: () => TeamSpiritEmulator) {
	const chatByKey = (key: string): Chat | undefined =>
		[...emulator().chats.values()].find((c) => c.externalKey === key);
	const chatsWithKey = (key: string): Chat[] =>
		[...emulator().chats.values()].filter((c) => c.externalKey === key);
	const messagesIn = (key: string): Message[] => {
		const chat = chatByKey(key);
		return chat ? emulator().messagesIn(chat.id) : [];
	};
	const fromBridge = (key: string, notice: boolean) =>
		messagesIn(key)
			.filter((m) => m.senderId === emulator().bot.id && m.text.startsWith('⚠️') === notice)
			.map((m) => m.text);
	return {
		chatByKey,
		chatsWithKey,
		messagesIn,
		/** The customer's messages as the operator sees them (the bridge posts them; notices aside). */
		customerTexts: (key: string) => fromBridge(key, false),
		/** The bridge's ⚠️ notices in the conversation. */
		notices: (key: string) => fromBridge(key, true),
	};
}
