/**
 * A Send and Wait question on WhatsApp (Cloud API). Reply buttons and list rows cannot open a
 * link: each answer is a button (up to 3) or a list row (up to 10) whose id is `n8n-wait:` + its
 * signed link, which the Chat Channel Trigger relays to n8n (./relay.ts, ../waiting.ts). A form
 * (Free Text, Custom Form) opens in the browser: its one link is a link button (cta_url).
 */
import { linksInText, WAIT_PAYLOAD } from '../waiting';
import type { WaitPrompt, WaitQuestion } from '../types';
import { CLOUD_LIMITS } from './transport';

export function whatsappCloudWaitPrompt(question: WaitQuestion): WaitPrompt {
	if (question.kind === 'form') {
		if (question.links.length !== 1) return linksInText(question);
		const [link] = question.links;
		return { text: question.text, buttons: [[{ text: link.label, url: link.url }]] };
	}
	const ids = question.links.map((link) => `${WAIT_PAYLOAD}${link.url}`);
	const list = ids.length > CLOUD_LIMITS.maxReplyButtons;
	const maxId = list ? CLOUD_LIMITS.maxRowId : CLOUD_LIMITS.maxReplyId;
	const labels = new Set(question.links.map((link) => link.label));
	const fits =
		ids.length <= CLOUD_LIMITS.maxListRows &&
		labels.size === ids.length &&
		ids.every((id) => id.length <= maxId);
	if (!fits) return linksInText(question);
	return {
		text: question.text,
		buttons: [
			question.links.map((link, index) => ({ text: link.label, callbackData: ids[index] })),
		],
	};
}
