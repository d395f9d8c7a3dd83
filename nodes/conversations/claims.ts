/**
 * Which process sends an operator message to the customer: exactly one, decided in TeamSpirit by a
 * conditional update of the message's key (the states and their transitions: keys.ts).
 *
 * Of two processes that read the same version, one wins and the other reads again and sees the
 * claim. A live claim elsewhere is waited out (it ends sent, unsent, or expires); an expired one,
 * and the old `pending:<id>` of earlier versions, mean "may or may not have reached the customer":
 * never sent again. Process memory holds nothing of this but this process's own claim tokens.
 */
import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { claimable, claimKey, keyState, type KeyState } from './keys';
import { getMessage, patchMessage, patchMessageIf } from './teamspirit';
import { BoundedMap } from '../shared/dedupe';
import { withItemIndex } from '../shared/errors';
import { abortableSleep } from '../shared/sleep';

/**
 * The claims this process made, by message id: a cache beside the channels' record of accepted
 * parts (channels/memory.ts `acceptedParts`, 1 h), and shorter-lived than it. A node retry (n8n's
 * Retry On Fail, a retried execution) in this process takes its own claim back and sends again
 * through that record, which returns what the channel already took instead of sending it twice.
 * Once either is gone, the claim is like anyone else's: waited out, then "may have arrived".
 */
export const ownClaims = new BoundedMap<string>(5_000, 50 * 60 * 1000);

export interface ClaimContext {
	ctx: IExecuteFunctions;
	itemIndex: number;
	chatId: string;
	messageId: string;
	conversation: string;
	/** How long one step of the holder may take before its claim lapses (renewed before each). */
	holdMs: number;
	/** Runs a TeamSpirit call with the operation's patience (reads and keyed writes). */
	ts: <T>(step: () => Promise<T>) => Promise<T>;
	/** A key that is free to claim too (the bot's answer as posted: keys.ts `botReplyKey`). */
	freeKey?: string;
}

/** Whether the message may be claimed: nothing sent, certainly not sent, or the caller's free key. */
const free = (c: ClaimContext, message: IDataObject) =>
	claimable(keyState(message.externalKey, c.conversation, c.messageId)) ||
	(c.freeKey !== undefined && message.externalKey === c.freeKey);

/** The message as TeamSpirit holds it now, or undefined when it was deleted. */
async function read(c: ClaimContext): Promise<IDataObject | undefined> {
	try {
		return await c.ts(async () => await getMessage(c.ctx, c.itemIndex, c.chatId, c.messageId));
	} catch (error) {
		if (Number((error as { httpCode?: string }).httpCode) === 404) return undefined;
		throw withItemIndex(c.ctx.getNode(), error, c.itemIndex);
	}
}

const POLL_FIRST_MS = 500;
const POLL_MAX_MS = 5000;

/**
 * The message once no live claim of another execution is on it: waits while one is (that
 * execution is sending it now; its result decides), and reads again after every change.
 */
export async function settled(
	c: ClaimContext,
): Promise<{ message: IDataObject; state: KeyState } | undefined> {
	const signal = c.ctx.getExecutionCancelSignal?.();
	let wait = POLL_FIRST_MS;
	for (;;) {
		const message = await read(c);
		if (!message) return undefined;
		const state = keyState(message.externalKey, c.conversation, c.messageId);
		if (state.kind !== 'claimed') return { message, state };
		// this process's own claim (a retry of the execution that made it): not waited for
		if (ownClaims.get(c.messageId) === state.token) return { message, state };
		// a claim the wall clock shows expired: its holder stopped (its own clock may differ a
		// little from ours; the holder renews long before `until`)
		if (Date.now() > state.until) return { message, state: { kind: 'uncertain' } };
		if (!(await abortableSleep(Math.min(wait, state.until - Date.now() + 1), signal))) {
			return { message, state: { kind: 'uncertain' } };
		}
		wait = Math.min(wait * 2, POLL_MAX_MS);
	}
}

export type ClaimResult =
	| { won: true; message: IDataObject; claim: Claim }
	| { won: false; message?: IDataObject; state: KeyState | { kind: 'deleted' } };

/**
 * Claims an operator message for sending. Wins when the message has no bridge key (or is
 * `unsent`) and this execution's conditional update is the one TeamSpirit took; otherwise says
 * what the message is (sent elsewhere, uncertain, deleted, the bridge's own). `seen` (the message
 * as delivered or last read) spares the read when it is still current: the update is conditional
 * on its version, so an old `seen` only costs the read it would have spared.
 */
export async function claimMessage(c: ClaimContext, seen?: IDataObject): Promise<ClaimResult> {
	const token = randomBytes(9).toString('base64url');
	const first = seen && (await claimSeen(c, seen, token));
	if (first) return first;
	for (;;) {
		const found = await settled(c);
		if (!found) return { won: false, state: { kind: 'deleted' } };
		const { message, state } = found;
		if (state.kind === 'claimed') {
			// only this process's own claim comes back claimed from `settled`: take it back
			return { won: true, message, claim: new Claim(c, state.token) };
		}
		if (!free(c, message)) return { won: false, message, state };
		const answer = await claimAt(c, Number(message.version), token);
		if (answer.changed) return won(c, answer.message, token);
		// another execution (or an edit) changed it first: read what it is now
	}
}

/** The claim at the version `seen` shows, when that looks claimable; undefined: read and see. */
async function claimSeen(
	c: ClaimContext,
	seen: IDataObject,
	token: string,
): Promise<ClaimResult | undefined> {
	const version = Number(seen.version);
	if (!Number.isSafeInteger(version) || !free(c, seen)) return undefined;
	try {
		const answer = await claimAt(c, version, token);
		return answer.changed ? won(c, answer.message, token) : undefined;
	} catch (error) {
		if (Number((error as { httpCode?: string }).httpCode) === 404) {
			return { won: false, state: { kind: 'deleted' } };
		}
		throw withItemIndex(c.ctx.getNode(), error, c.itemIndex);
	}
}

/** The conditional update that claims the message while it is at `version`. */
async function claimAt(c: ClaimContext, version: number, token: string) {
	return await c.ts(
		async () =>
			await patchMessageIf(
				c.ctx,
				c.itemIndex,
				c.chatId,
				c.messageId,
				{ externalKey: claimKey(c.messageId, Date.now() + c.holdMs, token) },
				version,
			),
	);
}

function won(c: ClaimContext, message: IDataObject, token: string): ClaimResult {
	ownClaims.set(c.messageId, token);
	return { won: true, message, claim: new Claim(c, token) };
}

/** A won claim: renewed before each part is sent, and replaced by what the message became. */
export class Claim {
	constructor(
		private readonly c: ClaimContext,
		private readonly token: string,
	) {}

	/**
	 * Renews the claim before the next part is sent; false when the message was deleted meanwhile
	 * (the operator took it back: send nothing more).
	 */
	async renew(): Promise<boolean> {
		return await this.write(claimKey(this.c.messageId, Date.now() + this.c.holdMs, this.token));
	}

	/** Records the message's final key; false when it was deleted meanwhile. */
	async record(externalKey: string): Promise<boolean> {
		const recorded = await this.write(externalKey);
		ownClaims.delete(this.c.messageId);
		return recorded;
	}

	private async write(externalKey: string): Promise<boolean> {
		const c = this.c;
		try {
			await c.ts(
				async () => await patchMessage(c.ctx, c.itemIndex, c.chatId, c.messageId, { externalKey }),
			);
			return true;
		} catch (error) {
			if (Number((error as { httpCode?: string }).httpCode) === 404) return false;
			throw withItemIndex(c.ctx.getNode(), error, c.itemIndex);
		}
	}
}
