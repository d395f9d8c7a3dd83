/**
 * What operators do to a conversation, shared by their commands in the chat (commands/) and the
 * Chat Channel node's Conversation operations: take, assign, transfer, resolve, reopen, snooze,
 * add a note, fill in a canned reply. Each changes the state through `changeConversation` (a
 * conditional write: of two at once, the second decides on what the first did), does what follows
 * from it (membership, routing, the customer's closing message and rating question), and says what
 * happened in one short line that starts with a symbol (`notice`). Bad input (an unknown user or
 * queue, a time that does not parse) is a notice too, never an error.
 */
import { createHash } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import { refusal } from '../notices';
import { fieldPlain } from '../untrusted';
import { noteKey, queueKey } from '../keys';
import {
	addMembers,
	conversationSecret,
	findUsers,
	getChat,
	getUser,
	listChats,
	postMessage,
	userName,
	type ConversationChat,
	type TeamSpiritUser,
} from '../teamspirit';
import { plainToMarkdown } from '../../shared/markdown';
import { fillPlaceholders, readCanned } from './canned';
import type { CustomerLine } from './customerLine';
import { botFirst, readQueue, type QueueSettings } from './queues';
import { assignFreedSlot, route } from './routing';
import { changeConversation, stateOf, type ConversationState, type StateChange } from './state';
import { formatIn, parseSnooze, SNOOZE_EXAMPLES } from './time';

/** Who acts: an operator (their TeamSpirit user), or a workflow (`id` null). */
export interface Actor {
	id: string | null;
	name: string;
}

export interface ActionResult {
	/** Whether the conversation changed. */
	changed: boolean;
	/** What happened, for the chat: one short line starting with a symbol. */
	notice: string;
	chat: ConversationChat;
	state: ConversationState;
}

type Ctx = IExecuteFunctions;

const nameOf = async (ctx: Ctx, i: number, userId: string) =>
	fieldPlain((await userName(ctx, i, userId)) ?? userId);

/** Open again (from pending, snoozed or resolved): no snooze, no resolution. */
const opened = (state: ConversationState): StateChange => ({
	status: 'open',
	snoozedUntil: null,
	...(state.status === 'resolved' ? { times: { resolvedAt: null } } : {}),
});

const result = (
	r: { changed: boolean; chat: ConversationChat; after: ConversationState },
	notice: string,
): ActionResult => ({ changed: r.changed, notice, chat: r.chat, state: r.after });

/** The operator takes the conversation: only while no one else has it (unless resolved). */
export async function take(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	_args: Record<string, never>,
	actor: Actor & { id: string },
): Promise<ActionResult> {
	let holder: string | undefined;
	const r = await changeConversation(ctx, i, chat, (state) => {
		holder = undefined;
		if (state.assigneeId === actor.id && state.status === 'open') return undefined;
		if (state.assigneeId && state.assigneeId !== actor.id && state.status !== 'resolved') {
			holder = state.assigneeId;
			return undefined;
		}
		return { ...opened(state), assigneeId: actor.id, owner: 'operator' };
	});
	if (holder) return result(r, `⛔ Already taken by ${await nameOf(ctx, i, holder)}`);
	// already yours: a member too (a retry after the state was written and the member was not)
	const joined = await joinChat(ctx, i, r.chat, [actor.id]);
	if (!r.changed) return result({ ...r, chat: joined }, 'ℹ️ This conversation is already yours');
	return result({ ...r, chat: joined }, `✅ ${fieldPlain(actor.name)} took this conversation`);
}

/**
 * The chat with these users as members (one request when any is missing, none when all are):
 * also run when the state already was the target, so a lost step is made up by a retry.
 */
async function joinChat(ctx: Ctx, i: number, chat: ConversationChat, userIds: string[]) {
	const missing = userIds.filter((id) => !chat.memberIds?.includes(id));
	return missing.length ? await addMembers(ctx, i, chat.id, missing) : chat;
}

/**
 * A TeamSpirit user by id, or by `username` (exactly, any case; else the one user whose name is
 * exactly it).
 */
export async function findUser(
	ctx: Ctx,
	i: number,
	who: { userId?: string; username?: string },
): Promise<TeamSpiritUser | undefined> {
	if (who.userId) return await getUser(ctx, i, who.userId);
	const wanted = (who.username ?? '').replace(/^@/, '').trim().toLowerCase();
	if (!wanted) return undefined;
	const users = (await findUsers(ctx, i, wanted, 50)).filter((u) => !u.isBot);
	const byUsername = users.find((u) => u.username.toLowerCase() === wanted);
	const byName = users.filter((u) => u.name.toLowerCase() === wanted);
	return byUsername ?? (byName.length === 1 ? byName[0] : undefined);
}

const unknownUser = (who: { userId?: string; username?: string }) =>
	`❓ No TeamSpirit user ${fieldPlain(who.username ? `@${who.username.replace(/^@/, '')}` : (who.userId ?? ''))}: nothing changed`;

/** Assigns the conversation to a user (and makes them a member); `verb` for transfers. */
export async function assign(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: { userId?: string; username?: string; verb?: 'Assigned' | 'Transferred' },
	actor: Actor,
): Promise<ActionResult> {
	const user = await findUser(ctx, i, args);
	if (!user) {
		const r = await changeConversation(ctx, i, chat, () => undefined);
		return result(r, unknownUser(args));
	}
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.assigneeId === user.id && state.status === 'open'
			? undefined
			: { ...opened(state), assigneeId: user.id, owner: 'operator' },
	);
	const who = fieldPlain(user.name);
	// already assigned: a member too (a retry after the state was written and the member was not)
	const joined = await joinChat(ctx, i, r.chat, [user.id]);
	if (!r.changed) return result({ ...r, chat: joined }, `ℹ️ Already assigned to ${who}`);
	await freedSlot(ctx, i, r.before, user.id);
	const from = r.before.assigneeId ? ` (from ${await nameOf(ctx, i, r.before.assigneeId)})` : '';
	const verb = args.verb ?? 'Assigned';
	return result({ ...r, chat: joined }, `✅ ${verb} to ${who}${from} by ${fieldPlain(actor.name)}`);
}

/** The queue's routing gets the slot an open conversation of its assignee left. */
async function freedSlot(ctx: Ctx, i: number, before: ConversationState, newAssignee?: string) {
	if (before.status !== 'open' || !before.assigneeId || !before.queue) return;
	if (before.assigneeId === newAssignee) return;
	await assignFreedSlot(ctx, i, before.queue);
}

/**
 * The names of the queues published in TeamSpirit (for the answer to an unknown one): settings
 * chats whose key the bridge signed for that name (keys.ts `queueKey`), no other.
 */
async function queueNames(ctx: Ctx, i: number): Promise<string[]> {
	const secret = await conversationSecret(ctx, i);
	const { items } = await listChats(ctx, i, { metadata: { kind: 'queue' }, limit: 50 });
	return items
		.filter((chat) => {
			const name = (chat.metadata?.settings as { name?: unknown } | undefined)?.name;
			return typeof name === 'string' && chat.externalKey === queueKey(name, secret);
		})
		.map((chat) => String((chat.metadata.settings as { name: string }).name))
		.sort();
}

/** Moves the conversation to another operator (`@username`, a user id) or queue (its name). */
export async function transfer(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: { userId?: string; username?: string; queue?: string },
	actor: Actor,
): Promise<ActionResult> {
	if (!args.queue) return await assign(ctx, i, chat, { ...args, verb: 'Transferred' }, actor);
	const published = await readQueue(ctx, i, args.queue);
	if (!published) {
		const r = await changeConversation(ctx, i, chat, () => undefined);
		const known = await queueNames(ctx, i);
		const list = known.length ? `. Queues: ${known.map((n) => fieldPlain(n)).join(', ')}` : '';
		return result(r, `❓ Unknown queue "${fieldPlain(args.queue)}": nothing changed${list}`);
	}
	return await toQueue(ctx, i, chat, published.settings, actor);
}

async function toQueue(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	queue: QueueSettings,
	actor: Actor,
): Promise<ActionResult> {
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.queue === queue.name && state.status === 'pending' && !state.assigneeId
			? undefined
			: {
					...opened(state),
					status: 'pending',
					assigneeId: null,
					queue: queue.name,
					owner: 'operator',
				},
	);
	const named = `the queue ${fieldPlain(queue.name)}`;
	if (!r.changed) return result(r, `ℹ️ Already waiting in ${named}`);
	const members = await joinChat(ctx, i, r.chat, queue.operators);
	const routed = await route(ctx, i, queue, members, { announceWaiting: true });
	await freedSlot(ctx, i, r.before);
	const outcome = {
		assigned: routed.assigneeId ? `: assigned to ${await nameOf(ctx, i, routed.assigneeId)}` : '',
		announced: ': announced there, the first /take gets it',
		waiting: ': waiting for a free operator',
		closed: ': waiting for business hours',
		unchanged: '',
	}[routed.outcome];
	const from = r.before.queue ? ` (from ${fieldPlain(r.before.queue)})` : '';
	return result(
		{ ...r, chat: routed.chat },
		`↪️ Transferred to ${named}${from} by ${fieldPlain(actor.name)}${outcome}`,
	);
}

/** The settings of the conversation's queue, when it has one TeamSpirit knows. */
async function queueOf(ctx: Ctx, i: number, state: ConversationState) {
	return state.queue ? (await readQueue(ctx, i, state.queue))?.settings : undefined;
}

export interface ResolveArgs {
	comment?: string;
	/** The customer, for the queue's closing message and rating question (none: not sent). */
	line?: CustomerLine;
	/** What the customer sends are keyed by (e.g. `teamspirit:<command message id>:resolve`). */
	sendKey?: string;
	now?: Date;
}

/**
 * Resolves the conversation; then the queue's closing message and rating question go to the
 * customer (`ratingAskedAt` is written with the resolution, before the question can be answered).
 * The resolution records its key (`closing`); once they were sent, when (`closing.sentAt`, a
 * conditional write). A rerun of the same resolution (the same key: a retry of the command or of
 * the editor's item) that finds them not recorded as sent sends them, under the same keys: at
 * least once (README "Resolve, reopen, rating").
 */
export async function resolve(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: ResolveArgs,
	actor: Actor,
): Promise<ActionResult> {
	const now = (args.now ?? new Date()).toISOString();
	const current = await chatOf(ctx, i, chat);
	const queue = await queueOf(ctx, i, stateOf(current));
	const asks = Boolean(args.line && queue?.ratingQuestion);
	const line = queue?.closingMessage || asks ? args.line : undefined;
	const key = args.sendKey ?? `resolve:${current.id}:${now}`;
	const r = await changeConversation(ctx, i, current, (state) =>
		state.status === 'resolved'
			? undefined
			: {
					status: 'resolved',
					snoozedUntil: null,
					times: { resolvedAt: now },
					...(asks ? { ratingAskedAt: now, rating: null } : {}),
					...(line ? { closing: { key, sentAt: null } } : {}),
					// a bot-first queue's conversation goes back to the bot: it answers the next message
					...(botFirst(queue) ? { owner: 'bot' as const } : {}),
				},
	);
	const closed = r.after.closing;
	const unsent = r.after.status === 'resolved' && closed?.key === key && !closed.sentAt;
	if (!r.changed && !(unsent && line)) return result(r, 'ℹ️ Already resolved');
	const sent = line && queue ? await closing(line, queue, key) : undefined;
	if (sent?.complete) await closingSent(ctx, i, r.chat, key);
	if (r.changed) await freedSlot(ctx, i, r.before);
	const comment = args.comment?.trim() ? `: ${fieldPlain(args.comment.trim())}` : '';
	return result(r, `✅ Resolved by ${fieldPlain(actor.name)}${comment}${sent?.notice ?? ''}`);
}

/** Records that the closing of the resolution `key` was sent (unless it is recorded already). */
async function closingSent(ctx: Ctx, i: number, chat: ConversationChat, key: string) {
	await changeConversation(ctx, i, chat, (state) =>
		state.closing?.key === key && !state.closing.sentAt
			? { closing: { key, sentAt: new Date().toISOString() } }
			: undefined,
	);
}

/** A chat as read (with its version): the one given, or read by id. */
async function chatOf(ctx: Ctx, i: number, chat: ConversationChat | string) {
	if (typeof chat !== 'string' && Number.isSafeInteger(chat.version)) return chat;
	return await getChat(ctx, i, typeof chat === 'string' ? chat : chat.id);
}

/** The rating buttons: 1 to 5, answered as `rate:<n>` (customer.ts reads them). */
const RATING_BUTTONS = [
	[1, 2, 3, 4, 5].map((n) => ({ text: String(n), callbackData: `rate:${n}` })),
];

/**
 * The rating question as sent without buttons: as written when it already says how to answer
 * (names 1 and 5, as the default question does, in any language), else with "Reply with a number
 * from 1 to 5." after it.
 */
function ratingQuestionText(question: string): string {
	if (/(^|\D)1(\D[\s\S]*)?\D5(\D|$)/.test(question)) return question;
	return `${question}\nReply with a number from 1 to 5.`;
}

/**
 * The queue's closing message, then its rating question (buttons where the channel has them,
 * else as `ratingQuestionText` words it); what was sent, or why not, for the notice.
 */
async function closing(
	line: CustomerLine,
	queue: QueueSettings,
	key: string,
): Promise<{ notice: string; complete: boolean }> {
	const sent: string[] = [];
	try {
		if (queue.closingMessage) {
			await line.send(queue.closingMessage, `${key}:closing`);
			sent.push('the closing message');
		}
		if (queue.ratingQuestion) {
			if (line.buttons) await line.send(queue.ratingQuestion, `${key}:rating`, RATING_BUTTONS);
			else {
				await line.send(ratingQuestionText(queue.ratingQuestion), `${key}:rating`);
			}
			sent.push('the rating question');
		}
	} catch (error) {
		const what = sent.length ? `; sent ${sent.join(' and ')}` : '';
		return { notice: `. ⚠️ Not sent to the customer: ${refusal(error)}${what}`, complete: false };
	}
	const notice = sent.length ? `. Sent to the customer: ${sent.join(' and ')}` : '';
	return { notice, complete: true };
}

/** Opens a resolved or snoozed conversation again (its assignee kept). */
export async function reopen(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	_args: Record<string, never>,
	actor: Actor,
): Promise<ActionResult> {
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.status === 'resolved' || state.status === 'snoozed' ? opened(state) : undefined,
	);
	if (!r.changed) {
		return result(r, `ℹ️ Not resolved or snoozed: it is ${r.before.status} already`);
	}
	return result(r, `🔓 Reopened by ${fieldPlain(actor.name)}`);
}

/**
 * Snoozes the conversation until `until` (a Date, or text as operators type it, read in the
 * queue's time zone, else UTC); it opens again then, or when the customer writes.
 */
export async function snooze(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: { until: string | Date; now?: Date },
	actor: Actor,
): Promise<ActionResult> {
	const current = await chatOf(ctx, i, chat);
	const zone = (await queueOf(ctx, i, stateOf(current)))?.timeZone || 'UTC';
	const at =
		args.until instanceof Date ? args.until : parseSnooze(args.until, args.now ?? new Date(), zone);
	const unchanged = { changed: false, chat: current, after: stateOf(current) };
	if (!at || Number.isNaN(at.getTime()) || at.getTime() <= (args.now ?? new Date()).getTime()) {
		const typed = args.until instanceof Date ? args.until.toISOString() : args.until.trim();
		return result(
			unchanged,
			`❓ "${fieldPlain(typed)}" is not a time to snooze until (in ${zone}). Examples: ${SNOOZE_EXAMPLES}`,
		);
	}
	const r = await changeConversation(ctx, i, current, (state) =>
		state.status === 'resolved' ? undefined : { status: 'snoozed', snoozedUntil: at.toISOString() },
	);
	if (r.before.status === 'resolved') {
		return result(r, '⛔ A resolved conversation is not snoozed: /reopen it first');
	}
	if (r.changed) await freedSlot(ctx, i, r.before);
	return result(r, `💤 Snoozed by ${fieldPlain(actor.name)} until ${formatIn(at, zone)}`);
}

/**
 * Posts a private note in the conversation chat, as the bot (never sent: the bot's posts are not
 * operator messages). Its key names the call: the execution, the item and the actor and text, so
 * a retry of the same execution (Retry On Fail, a rerun of the item) posts it once, and a later
 * execution with the same text posts it again.
 */
export async function addNote(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: { text: string },
	actor: Actor,
): Promise<ActionResult & { noteId?: string }> {
	const current = await chatOf(ctx, i, chat);
	const unchanged = { changed: false, chat: current, after: stateOf(current) };
	const text = args.text.trim();
	if (!text) return result(unchanged, '❓ The note is empty: nothing posted');
	const digest = createHash('sha256')
		.update(`${ctx.getExecutionId()}\n${i}\n${actor.id ?? ''}\n${text}`)
		.digest('base64url')
		.slice(0, 16);
	const note = await postMessage(ctx, i, current.id, {
		text: `📝 Note by ${fieldPlain(actor.name)}: ${fieldPlain(text, { lines: true })}`,
		format: 'plain',
		externalKey: noteKey(current.id, digest),
	});
	return {
		...result(unchanged, '📝 Note added (not sent to the customer)'),
		noteId: String(note.id),
	};
}

export interface CannedResult extends ActionResult {
	/** The reply with its placeholders filled in, when the shortcut exists. */
	reply?: { text: string; format: 'plain' | 'markdown' };
	/** The shortcuts there are (sorted). */
	shortcuts: string[];
}

/**
 * The canned reply `shortcut` of the conversation's queue, `{customer}` and `{operator}` filled
 * in; without a shortcut (or an unknown one) the list of shortcuts. Sending it is the caller's
 * (Send to Customer sends it as the operator's message).
 */
export async function cannedReply(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	args: { shortcut: string },
	actor: Actor,
): Promise<CannedResult> {
	const current = await chatOf(ctx, i, chat);
	const state = stateOf(current);
	const unchanged = result({ changed: false, chat: current, after: state }, '');
	const queue = await queueOf(ctx, i, state);
	if (!queue?.cannedChatId) {
		const why = state.queue
			? `the queue ${fieldPlain(state.queue)} has no canned replies chat`
			: 'it has no queue';
		return {
			...unchanged,
			notice: `❓ No canned replies for this conversation: ${why}`,
			shortcuts: [],
		};
	}
	const replies = await readCanned(ctx, i, queue.cannedChatId);
	const shortcuts = [...replies.keys()].sort();
	const wanted = args.shortcut.trim().replace(/^\//, '').toLowerCase();
	const reply = wanted ? replies.get(wanted) : undefined;
	const list = shortcuts.length ? shortcuts.map((s) => `/r ${s}`).join(', ') : 'none yet';
	if (!reply) {
		const lead = wanted ? `❓ No canned reply "${fieldPlain(wanted)}". ` : '📋 ';
		return { ...unchanged, notice: `${lead}Canned replies: ${list}`, shortcuts };
	}
	const customer = String(
		(current.metadata?.customer as { name?: unknown } | undefined)?.name ?? '',
	);
	const markdown = reply.format === 'markdown';
	const escape = (name: string) => (markdown ? plainToMarkdown(name) : name);
	const text = fillPlaceholders(reply.text, {
		customer: escape(customer.trim() || 'there'),
		operator: escape(actor.name),
	});
	return {
		...unchanged,
		notice: `↩️ Canned reply "${wanted}" sent`,
		reply: { text, format: reply.format },
		shortcuts,
	};
}
