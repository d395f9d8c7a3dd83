/**
 * Who may answer a request by replying in TeamSpirit: the members of the chat, or only the
 * approvers the node lists (user IDs or usernames). Never the bot itself, whatever the list says.
 * Everything is read from TeamSpirit's REST API, never from a delivery's body.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { teamSpiritApiRequest } from '../../../../shared/teamspirit/transport';
import { segment } from '../../../../shared/teamspirit/utils';

/** Who answered, as the node outputs it in `data.by`. */
export interface ReplyAuthor {
	id: string;
	name: string;
	username: string;
}

/** The Approvers option as a list: an array or comma/space-separated text; `@` is dropped. */
export function parseApprovers(value: unknown): string[] {
	const list = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,;\s]+/);
	return list.map((entry) => entry.trim().replace(/^@/, '')).filter(Boolean);
}

const isUserId = (entry: string) => /^u_/.test(entry);

/**
 * Whether `user` is on the approvers list: an entry matches the user's id exactly or the username
 * in any case (a username may look like an id: `u_bob`).
 */
function listed(user: ReplyAuthor, approvers: string[]): boolean {
	const username = user.username.toLowerCase();
	return approvers.some(
		(entry) => entry === user.id || (username !== '' && entry.toLowerCase() === username),
	);
}

export async function readUser(ctx: IWebhookFunctions, userId: string): Promise<ReplyAuthor> {
	const user = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/users/${segment(userId)}`,
	});
	return { id: userId, name: String(user.name ?? ''), username: String(user.username ?? '') };
}

/** Whether the sender may answer; `botId` never may. */
export async function mayAnswer(
	ctx: IWebhookFunctions,
	chatId: string,
	sender: ReplyAuthor,
	approvers: string[],
	botId: string,
): Promise<boolean> {
	if (sender.id === botId) return false;
	if (approvers.length > 0) return listed(sender, approvers);
	const chat = await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}`,
	});
	return ((chat.memberIds as string[] | undefined) ?? []).includes(sender.id);
}

/** "Anna Petrova (@anna), @bob" or "the members of this chat", for the refusal notice. */
export async function whoMayAnswer(
	ctx: IWebhookFunctions,
	approvers: string[],
	botId: string,
): Promise<string> {
	const names: string[] = [];
	for (const entry of approvers) {
		if (!isUserId(entry)) names.push(`@${entry}`);
		else if (entry !== botId) names.push(await nameOf(ctx, entry));
	}
	return names.length ? names.join(', ') : 'the members of this chat';
}

async function nameOf(ctx: IWebhookFunctions, userId: string): Promise<string> {
	const user: IDataObject | undefined = await teamSpiritApiRequest
		.call(ctx, { method: 'GET', path: `/users/${segment(userId)}` })
		.catch(() => undefined);
	if (!user) return userId;
	return user.username ? `${String(user.name)} (@${String(user.username)})` : String(user.name);
}
