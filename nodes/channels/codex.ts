/**
 * The codex of the two Chat Channel nodes (n8n's node panel: category, search words, docs links),
 * written from the registry (./index.ts): a new channel's name is a search word without an edit of
 * a node file. n8n takes a community package's codex from the node's description; the build writes
 * the same codex as `<node>.node.json` beside the compiled node (scripts/build-codex.mjs), for n8n's
 * custom-nodes folder, which reads only the file.
 */
import type { CodexData } from 'n8n-workflow';

import { adapters } from './index';

const DOCS = 'https://github.com/teamspirit/n8n-nodes-teamspirit';

/** Each channel's name and the words in it: "WhatsApp (Twilio)" → "WhatsApp (Twilio)", "WhatsApp", "Twilio". */
function channelSearchTerms(): string[] {
	const terms = Object.values(adapters).flatMap((adapter) => [
		adapter.displayName,
		...adapter.displayName.replace(/[()]/g, ' ').split(/\s+/),
	]);
	const seen = new Set<string>();
	return terms.filter((term) => {
		const key = term.toLowerCase();
		if (!term || seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** A Chat Channel node's codex: the channels' search words, then the node's own. */
export function chatChannelCodex(words: string[]): CodexData {
	return {
		categories: ['Communication'],
		subcategories: { Communication: ['Chat'] },
		alias: [...channelSearchTerms(), ...words, 'TeamSpirit'],
		resources: {
			primaryDocumentation: [{ url: `${DOCS}#chat-channel-and-chat-channel-trigger` }],
			credentialDocumentation: [{ url: `${DOCS}/blob/main/docs/chat-channels.md` }],
		},
	};
}
