/**
 * Operator commands in a conversation chat (docs/conversations.md, "Operator commands"): Send to
 * Customer hands every created operator message whose text is a command (parse.ts) here instead
 * of sending it. A command runs once (claim.ts) and is answered by a notice
 * (`notice:<id>:command`); `/r shortcut` sends the canned reply as this operator message
 * (`sendAs`: the message's own claim and record).
 */
import type { IDataObject } from 'n8n-workflow';

import { keyState, noticeKey } from '../../keys';
import { skipped } from '../../notices';
import type { Conversation, Outbound } from '../../outboundContext';
import { postMessage, userName, type ConversationChat } from '../../teamspirit';
import { cannedReply, type Actor } from '../actions';
import { assignCommand } from './assign';
import { botCommand } from './bot';
import { claimCommand, ownCommands } from './claim';
import { noteCommand } from './note';
import type { ParsedCommand } from './parse';
import { reopenCommand } from './reopen';
import { resolveCommand } from './resolve';
import { snoozeCommand } from './snooze';
import { takeCommand } from './take';
import { transferCommand } from './transfer';
import type { Command } from './types';

const COMMANDS: Record<string, Command> = {
	take: takeCommand,
	assign: assignCommand,
	transfer: transferCommand,
	resolve: resolveCommand,
	reopen: reopenCommand,
	snooze: snoozeCommand,
	note: noteCommand,
	bot: botCommand,
};

/** Every command as typed, for the answer to an unknown one. */
const COMMAND_LIST = [...Object.values(COMMANDS).map((c) => c.usage), '/r [shortcut]'].join(', ');

export interface CommandContext {
	o: Outbound;
	c: Conversation;
	/** The conversation chat as the delivery showed it (with its version), or its id. */
	chat: ConversationChat | string;
	/** Sends `message` (as seen) to the customer with `text` instead: its claim, send and record. */
	sendAs(message: IDataObject, text: { text: string; format: string }): Promise<IDataObject>;
}

/** Runs a command once; `again`: the message changed before the claim, decide on it anew. */
export async function runCommand(
	x: CommandContext,
	seen: IDataObject,
	parsed: ParsedCommand,
): Promise<IDataObject | { again: IDataObject }> {
	const messageId = String(seen.id);
	const base = { chatId: x.o.chatId, messageId, conversationId: x.c.conversationId };
	const state = keyState(seen.externalKey, x.c.key, messageId);
	if (state.kind === 'sent' || (state.kind === 'command' && !ownCommands.get(messageId))) {
		// run (or sent) already: a redelivery, or the catch-up of a later message
		return skipped(`command: ${state.kind === 'sent' ? 'sent already' : 'run already'}`, base);
	}
	const actor = await actorOf(x.o, seen);
	let answer: string | undefined;
	if (parsed.name === 'r') {
		const canned = await x.o.ts(
			async () =>
				await cannedReply(x.o.ctx, x.o.itemIndex, x.chat, { shortcut: parsed.args }, actor),
		);
		if (canned.reply) {
			const sent = await x.sendAs(seen, canned.reply);
			if (sent.action === 'sent') await notice(x.o, messageId, canned.notice);
			return { ...sent, command: 'r' };
		}
		answer = canned.notice;
	}
	const claim = await claimCommand(x.o, x.c, seen);
	if (!claim.won) {
		return 'changed' in claim ? { again: claim.changed } : skipped(`command: ${claim.why}`, base);
	}
	const command = COMMANDS[parsed.name];
	if (command) {
		const run = { ...x, message: claim.message, args: parsed.args, actor };
		answer = await x.o.ts(async () => await command.run(run));
	} else if (parsed.name !== 'r') {
		answer = `❓ Unknown command ${parsed.typed}. Commands: ${COMMAND_LIST}`;
	}
	if (answer) await notice(x.o, messageId, answer);
	return { action: 'command', ...base, command: parsed.name, notice: answer ?? null };
}

/** The operator who typed the command (their name as TeamSpirit shows it). */
async function actorOf(o: Outbound, message: IDataObject): Promise<Actor & { id: string }> {
	const id = String(message.senderId ?? '');
	const name = id ? await o.ts(async () => await userName(o.ctx, o.itemIndex, id)) : undefined;
	return { id, name: name ?? 'An operator' };
}

/** The answer to a command, once (`notice:<id>:command`). */
async function notice(o: Outbound, messageId: string, text: string): Promise<void> {
	await o.ts(
		async () =>
			await postMessage(o.ctx, o.itemIndex, o.chatId, {
				text,
				format: 'plain',
				externalKey: noticeKey(messageId, 'command'),
			}),
	);
}
