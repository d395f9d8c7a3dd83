/** What every operator command gets and gives (commands/index.ts runs them). */
import type { IDataObject } from 'n8n-workflow';

import type { Conversation, Outbound } from '../../outboundContext';
import type { ConversationChat } from '../../teamspirit';
import type { Actor } from '../actions';

export interface CommandRun {
	o: Outbound;
	c: Conversation;
	/** The command message, as claimed. */
	message: IDataObject;
	/** The conversation chat: as the delivery showed it (with its version), or its id. */
	chat: ConversationChat | string;
	/** What follows the command's name, trimmed. */
	args: string;
	/** The operator who typed it. */
	actor: Actor & { id: string };
}

export interface Command {
	/** How it is typed, for the list of commands (`/assign @username`). */
	usage: string;
	/** The answer in the chat (one line, a symbol first); undefined: none. */
	run(run: CommandRun): Promise<string | undefined>;
}
