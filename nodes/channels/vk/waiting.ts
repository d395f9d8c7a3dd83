/**
 * A Send and Wait question on VK: link buttons (open_link) under the text, one per answer, in
 * rows of VK's allowed width. Labels longer than VK allows, or more answers than its keyboard
 * holds, fall back to the links as lines of the text.
 */
import { linksInText } from '../waiting';
import type { WaitPrompt, WaitQuestion } from '../types';
import { VK_LIMITS } from './transport';

export function vkWaitPrompt(question: WaitQuestion): WaitPrompt {
	const { links } = question;
	const fits =
		links.length <= VK_LIMITS.maxButtons &&
		links.every((link) => link.label.length <= VK_LIMITS.maxLabelLength);
	if (!fits) return linksInText(question);
	const rows: WaitPrompt['buttons'] = [];
	for (let i = 0; i < links.length; i += VK_LIMITS.maxButtonsPerRow)
		rows.push(
			links
				.slice(i, i + VK_LIMITS.maxButtonsPerRow)
				.map((link) => ({ text: link.label, url: link.url })),
		);
	return { text: question.text, buttons: rows };
}
