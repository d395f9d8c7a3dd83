/**
 * The bot a credential speaks for: its Viber id without Viber's `pa:` prefix (`get_account_info`
 * `id` `pa:5712…` → `5712…`), the `account` of every trigger item; a conversation key holds it
 * between colons, so it never contains one. Viber's callbacks do not name the bot: it is asked once
 * per token and process and kept in memory (only a hash of the token is kept).
 */
import { createHash } from 'crypto';

import type { ViberContext } from './transport';
import { credentialsOf, viberApiRequest } from './transport';

const accounts = new Map<string, string>();

/** The bot's id; asks Viber once per token. */
export async function accountOf(ctx: ViberContext, itemIndex?: number): Promise<string> {
	const { token } = await credentialsOf(ctx, itemIndex);
	const key = createHash('sha256').update(token).digest('hex');
	const known = accounts.get(key);
	if (known) return known;
	const info = await viberApiRequest<{ id?: string; uri?: string }>(ctx, {
		api: 'get_account_info',
		idempotent: true,
		itemIndex,
		what: 'read the bot',
	});
	const id = accountIdOf(info);
	if (id) accounts.set(key, id);
	return id;
}

/** The account of a `get_account_info` answer: its id without `pa:`, no `:`, `#` or `~` in it. */
export function accountIdOf(info: { id?: unknown; uri?: unknown }): string {
	return String(info.id ?? info.uri ?? '')
		.replace(/^pa:/, '')
		.replace(/[:#~\s]/g, '_');
}
