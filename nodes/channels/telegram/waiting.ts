/** A Send and Wait question on Telegram: one row of link buttons under the text (an inline keyboard). */
import type { WaitPrompt, WaitQuestion } from '../types';

export function telegramWaitPrompt(question: WaitQuestion): WaitPrompt {
	return {
		text: question.text,
		buttons: [question.links.map((link) => ({ text: link.label, url: link.url }))],
	};
}
