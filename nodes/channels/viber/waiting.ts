/**
 * A Send and Wait question on Viber: the answers as open-url buttons of a keyboard (a tap opens
 * the signed link in the browser, which records the answer), one row of up to six. Links longer
 * than a button takes, or more answers than a row holds: the links as lines of the text.
 */
import { linksInText } from '../waiting';
import type { WaitPrompt, WaitQuestion } from '../types';
import { keyboardProblem } from './keyboard';

export function viberWaitPrompt(question: WaitQuestion): WaitPrompt {
	const buttons = [question.links.map((link) => ({ text: link.label, url: link.url }))];
	if (keyboardProblem(buttons)) return linksInText(question);
	return { text: question.text, buttons };
}
