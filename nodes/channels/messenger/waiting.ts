/**
 * A Send and Wait question on Messenger. Quick replies cannot open a link: each answer is a quick
 * reply whose payload is `n8n-wait:` + its signed link, which the Chat Channel Trigger relays to
 * n8n (../waiting.ts). A form (Free Text, Custom Form) needs the browser: its link is in the text.
 */
import { linksInText, WAIT_PAYLOAD } from '../waiting';
import type { WaitPrompt, WaitQuestion } from '../types';
import { MESSENGER_LIMITS } from './transport';

/** Meta's longest quick reply payload. */
const MAX_PAYLOAD = 1000;

export function messengerWaitPrompt(question: WaitQuestion): WaitPrompt {
	const payloads = question.links.map((link) => `${WAIT_PAYLOAD}${link.url}`);
	const fits =
		payloads.length <= MESSENGER_LIMITS.maxQuickReplies &&
		payloads.every((payload) => payload.length <= MAX_PAYLOAD);
	if (question.kind === 'form' || !fits) return linksInText(question);
	return {
		text: question.text,
		buttons: [
			question.links.map((link, index) => ({ text: link.label, callbackData: payloads[index] })),
		],
	};
}
