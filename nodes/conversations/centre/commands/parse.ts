/**
 * Which operator messages are commands (docs/conversations.md, "Operator commands"): a text that
 * starts with `/` and letters, then a space or its end (`/take`, `/assign @bob`; `/etc/hosts` is
 * not one), and, in a queue with a note prefix, a text that starts with that prefix (a private
 * note). Pure.
 */

export interface ParsedCommand {
	/** The command's name, lowercased (`take`, `r`, …); `note` for a note with the prefix. */
	name: string;
	/** What follows the name, trimmed. */
	args: string;
	/** The name as typed (`/Take`), for the answer to an unknown one. */
	typed: string;
}

const COMMAND = /^\/([A-Za-z]+)(?:\s+([\s\S]*))?$/;

/** The command a message's text is, or undefined for a message to send. */
export function parseCommand(text: unknown, notePrefix = ''): ParsedCommand | undefined {
	if (typeof text !== 'string') return undefined;
	const trimmed = text.trim();
	const prefix = notePrefix.trim();
	if (prefix && trimmed.startsWith(prefix)) {
		return { name: 'note', args: trimmed.slice(prefix.length).trim(), typed: prefix };
	}
	const match = COMMAND.exec(trimmed);
	if (!match) return undefined;
	return { name: match[1].toLowerCase(), args: (match[2] ?? '').trim(), typed: `/${match[1]}` };
}

/** `@alice` or `alice` → `alice`; undefined when it is not one word. */
export function usernameOf(text: string): string | undefined {
	const match = /^@?([\p{L}\p{N}._-]+)$/u.exec(text.trim());
	return match?.[1];
}
