/**
 * Quick replies, as Messenger and Instagram both take them: under the last message, callback data
 * only (no URL), titles of at most 20 characters, payloads of at most 1000. The channel's buttons
 * and its Send and Wait prompt: each answer a quick reply whose payload is `n8n-wait:` + its
 * signed link, which the channel's trigger relays to n8n (./relay.ts); a form (Free Text, Custom
 * Form) needs the browser: its link is in the text.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { truncateGraphemes } from '../../shared/graphemes';
import type { InlineButton, SendContext, WaitPrompt, WaitQuestion } from '../types';
import { linksInText, WAIT_PAYLOAD } from '../waiting';

/** Meta's longest quick reply payload. */
const MAX_PAYLOAD = 1000;

/** Inline buttons with callback data as quick replies (at most `max`); undefined without buttons. */
export function quickRepliesOf(
	call: SendContext,
	buttons: InlineButton[][] | undefined,
	label: string,
	max: number,
): IDataObject[] | undefined {
	const all = (buttons ?? []).flat().filter((b) => b.text);
	if (!all.length) return undefined;
	if (all.some((b) => b.url)) {
		throw new NodeOperationError(call.ctx.getNode(), `${label} quick replies cannot open a URL`, {
			itemIndex: call.itemIndex,
			description: 'Put the link into the text, or use buttons with callback data only.',
		});
	}
	if (all.length > max) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`${label} allows at most ${max} quick replies; the message has ${all.length}`,
			{ itemIndex: call.itemIndex },
		);
	}
	// Meta allows 20 characters; cut between grapheme clusters, counted in UTF-16 code units (never
	// fewer than Meta's characters), so no title ends in half an emoji or flag
	return all.map((b) => ({
		content_type: 'text',
		title: truncateGraphemes(b.text, 20),
		payload: b.callbackData || b.text,
	}));
}

/** A Send and Wait question as quick replies (at most `max`), else its links in the text. */
export function quickReplyWaitPrompt(question: WaitQuestion, max: number): WaitPrompt {
	const payloads = question.links.map((link) => `${WAIT_PAYLOAD}${link.url}`);
	const fits = payloads.length <= max && payloads.every((payload) => payload.length <= MAX_PAYLOAD);
	if (question.kind === 'form' || !fits) return linksInText(question);
	return {
		text: question.text,
		buttons: [
			question.links.map((link, index) => ({ text: link.label, callbackData: payloads[index] })),
		],
	};
}
