/**
 * Which execution runs an operator command: the one whose conditional write of the message's key
 * `command:<id>` (keys.ts) TeamSpirit takes, at the version it read. Every other execution (a
 * redelivery, the catch-up of a later message, a second worker) finds the key, or loses the 412,
 * and does nothing. Only a retry of the claiming execution in this process runs it again
 * (`ownCommands`): every step of a command is a conditional change or a keyed post, so running it
 * twice does it once.
 */
import type { IDataObject } from 'n8n-workflow';

import { BoundedMap } from '../../../shared/dedupe';
import { withItemIndex } from '../../../shared/errors';
import { claimable, commandKey, keyState } from '../../keys';
import type { Conversation, Outbound } from '../../outboundContext';
import { getMessage, patchMessageIf } from '../../teamspirit';

/** The commands this process claimed (50 minutes, as the message claims: claims.ts). */
export const ownCommands = new BoundedMap<true>(5_000, 50 * 60 * 1000);

export type CommandClaim =
	| { won: true; message: IDataObject }
	/** Run already, or being run (another execution's claim), or not a command any more. */
	| { won: false; why: string }
	/** The message changed (an edit) before the claim: decide again on it as it is now. */
	| { won: false; changed: IDataObject };

const httpCode = (error: unknown) => Number((error as { httpCode?: string }).httpCode);

export async function claimCommand(
	o: Outbound,
	c: Conversation,
	seen: IDataObject,
): Promise<CommandClaim> {
	const id = String(seen.id);
	const state = keyState(seen.externalKey, c.key, id);
	if (state.kind === 'command') {
		return ownCommands.get(id) ? { won: true, message: seen } : { won: false, why: 'run already' };
	}
	if (!claimable(state)) return { won: false, why: `not a command to run (${state.kind})` };
	try {
		const version = Number.isSafeInteger(seen.version)
			? Number(seen.version)
			: Number(
					(await o.ts(async () => await getMessage(o.ctx, o.itemIndex, o.chatId, id))).version,
				);
		const answer = await o.ts(
			async () =>
				await patchMessageIf(
					o.ctx,
					o.itemIndex,
					o.chatId,
					id,
					{ externalKey: commandKey(id) },
					version,
				),
		);
		if (!answer.changed) return { won: false, changed: answer.message };
		ownCommands.set(id, true);
		return { won: true, message: answer.message };
	} catch (error) {
		if (httpCode(error) === 404) return { won: false, why: 'deleted before it was run' };
		throw withItemIndex(o.ctx.getNode(), error, o.itemIndex);
	}
}
