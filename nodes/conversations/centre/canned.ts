/**
 * Canned replies, kept in TeamSpirit: a chat named in the queue's settings whose messages read
 * `shortcut: text` (the newest message of a shortcut wins, so editing a reply is posting it
 * again). `{customer}` and `{operator}` in a text become the customer's and the operator's names.
 * Read when used (no process cache: a reply changed a second ago is the one sent).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { teamSpiritApiRequestAllItems } from '../../shared/teamspirit/transport';
import { segment } from '../../shared/teamspirit/utils';

export interface CannedReply {
	shortcut: string;
	text: string;
	format: 'plain' | 'markdown';
}

/** How many of the canned chat's newest messages are read. */
const MAX_MESSAGES = 500;

const LINE = /^([\p{L}\p{N}_.-]{1,40})[ \t]*:[ \t]*([\s\S]*\S[\s\S]*)$/u;

/** One message as a canned reply, when it reads `shortcut: text`. */
function cannedOf(message: { text?: unknown; format?: unknown }): CannedReply | undefined {
	const text = typeof message.text === 'string' ? message.text.trim() : '';
	const match = LINE.exec(text);
	if (!match) return undefined;
	return {
		shortcut: match[1].toLowerCase(),
		text: match[2].trim(),
		format: message.format === 'markdown' ? 'markdown' : 'plain',
	};
}

/** The canned replies of a chat by shortcut (lowercased), the newest of each. */
export async function readCanned(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
): Promise<Map<string, CannedReply>> {
	const newestFirst = await teamSpiritApiRequestAllItems.call(
		ctx,
		`/chats/${segment(chatId)}/messages`,
		{},
		MAX_MESSAGES,
		itemIndex,
	);
	const replies = new Map<string, CannedReply>();
	for (const message of newestFirst as IDataObject[]) {
		const reply = cannedOf(message);
		if (reply && !replies.has(reply.shortcut)) replies.set(reply.shortcut, reply);
	}
	return replies;
}

/** The text with `{customer}` and `{operator}` filled in (any case, spaces inside allowed). */
export function fillPlaceholders(text: string, names: { customer: string; operator: string }) {
	return text
		.replace(/\{\s*customer\s*\}/gi, () => names.customer)
		.replace(/\{\s*operator\s*\}/gi, () => names.operator);
}
