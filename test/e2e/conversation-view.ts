/**
 * What the e2e suites of customer conversations read back, shared: polling for a condition with the
 * diagnostics of the suite, waiting for n8n's executions to settle, and the conversation chats as
 * TeamSpirit holds them (found by their `externalKey`, the bridge's own posts and its ⚠️ notices).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

/**
 * Waits until none of the newest executions is new, running or waiting; returns them. `workflowIds`:
 * only those workflows' (a suite in the shared n8n, test/e2e/shared-n8n.ts, where other suites'
 * executions may wait or have failed on purpose).
 */
export async function executionsSettled(
	editor: N8nEditor,
	diagnostics: () => string,
	timeoutMs = 60_000,
	workflowIds?: string[],
): Promise<ExecutionSummary[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const list = workflowIds
			? (await Promise.all(workflowIds.map((id) => editor.executions(100, id)))).flat()
			: await editor.executions(100);
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
		/**
		 * The customer's messages only, by their keys (`<conversation key>#<id>`): without the
		 * contact centre's notices and the bot's own words mirrored in the chat.
		 */
		customerMessages: (key: string) =>
			messagesIn(key)
				.filter((m) => m.senderId === emulator().bot.id && m.externalKey?.startsWith(`${key}#`))
				.map((m) => m.text),
	};
}

const escapeHtml = (s: string) =>
	s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\n/g, '<br>');

/**
 * A conversation chat as an operator sees it in TeamSpirit (the playground's colours): the
 * customer's messages, the operators' (commands and notes included), the bridge's notices, and
 * the conversation's state from the chat's metadata. For the README's picture.
 */
export function operatorChatHtml(emulator: TeamSpiritEmulator, chatId: string): string {
	const chat = emulator.chats.get(chatId)!;
	const nameOf = (id: string) => emulator.users.get(id)?.name ?? id;
	const meta = chat.metadata as Record<string, any>;
	const customer = (meta.customer as { name?: string } | undefined)?.name ?? 'Customer';
	const rows = emulator.messagesIn(chatId).map((m) => {
		const fromCustomer = m.senderId === emulator.bot.id && !!m.externalKey?.includes('#');
		const kind = m.senderId !== emulator.bot.id ? 'operator' : fromCustomer ? 'customer' : 'notice';
		const who =
			kind === 'operator'
				? nameOf(m.senderId)
				: kind === 'customer'
					? `${customer} (customer)`
					: emulator.bot.name;
		const time = m.createdAt.slice(11, 16);
		return `<li class="msg ${kind}"><span class="sender">${escapeHtml(who)}</span>${escapeHtml(m.text)}<span class="meta">${time}</span></li>`;
	});
	const state = [
		`status <b>${escapeHtml(String(meta.status ?? 'open'))}</b>`,
		meta.queue ? `queue <b>${escapeHtml(String(meta.queue))}</b>` : '',
		meta.assigneeId ? `assigned to <b>${escapeHtml(nameOf(String(meta.assigneeId)))}</b>` : '',
		meta.rating ? `rated <b>${Number(meta.rating.score)}/5</b>` : '',
	].filter(Boolean);
	return `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 12px; font-family: 'DejaVu Sans', system-ui, sans-serif; font-size: 14px; color: #1f2328; background: #f6f8fa; }
.chat { background: #fff; border: 1px solid #d1d9e0; border-radius: 10px; padding: 12px; }
h1 { margin: 0; font-size: 16px; } .state { margin: 4px 0 8px; color: #59636e; font-size: 13px; }
ol { list-style: none; margin: 0; padding: 8px; background: #f6f8fa; border-radius: 8px; display: flex; flex-direction: column; gap: 6px; }
.msg { max-width: 78%; padding: 6px 10px; border-radius: 10px; border: 1px solid #d1d9e0; background: #fff; }
.msg.operator { align-self: flex-end; background: #e3ecff; } .msg.notice { background: #fff4d6; font-size: 13px; }
.sender { display: block; font-size: 12px; font-weight: 600; color: #59636e; } .meta { display: block; font-size: 11px; color: #59636e; text-align: right; }
</style></head><body><div class="chat"><h1>${escapeHtml(chat.title)}</h1><p class="state">${state.join(' · ')} · members: ${chat.memberIds
		.filter((id) => id !== emulator.bot.id)
		.map((id) => escapeHtml(nameOf(id)))
		.join(', ')}</p><ol>${rows.join('')}</ol></div></body></html>`;
}

/**
 * Writes `<dir>/contact-centre-operator-chat.png`: the chat rendered by operatorChatHtml in
 * Debian's headless Chromium (`TS_CHROMIUM`, default /usr/bin/chromium). Returns the file.
 */
export async function operatorChatPicture(
	emulator: TeamSpiritEmulator,
	chatId: string,
	dir: string,
): Promise<string> {
	const html = path.join(os.tmpdir(), `operator-chat-${process.pid}.html`);
	await fs.promises.writeFile(html, operatorChatHtml(emulator, chatId));
	const file = path.join(dir, 'contact-centre-operator-chat.png');
	const height = 140 + emulator.messagesIn(chatId).length * 62;
	await new Promise<void>((resolve, reject) =>
		execFile(
			process.env.TS_CHROMIUM ?? '/usr/bin/chromium',
			[
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--hide-scrollbars',
				`--window-size=760,${height}`,
				`--screenshot=${file}`,
				`file://${html}`,
			],
			{ timeout: 60_000 },
			(error) => (error ? reject(error) : resolve()),
		),
	);
	await fs.promises.rm(html, { force: true });
	return file;
}
