import { callbackOf, keyboardOf, keyboardProblem } from '../../nodes/channels/viber/keyboard';
import { viberWaitPrompt } from '../../nodes/channels/viber/waiting';

describe('Viber keyboard', () => {
	it('a reply button sends its label; two buttons with one label send their data instead; the tracking data maps each back', () => {
		const board = keyboardOf([
			[{ text: '1', callbackData: 'rate:1' }, { text: '2', callbackData: 'rate:2' }],
			[{ text: 'OK', callbackData: 'a' }, { text: 'OK', callbackData: 'b' }, { text: 'Site', url: 'https://x.example' }],
		])!;
		const buttons = (board.keyboard.Buttons as Array<Record<string, unknown>>).map((b) => [b.ActionType, b.ActionBody, b.Columns]);
		expect(buttons).toEqual([
			['reply', '1', 3],
			['reply', '2', 3],
			['reply', 'a', 2],
			['reply', 'b', 2],
			['open-url', 'https://x.example', 2],
		]);
		expect(['1', '2', 'a', 'b', 'OK', 'Site'].map((text) => callbackOf(board.trackingData!, text))).toEqual(['rate:1', 'rate:2', 'a', 'b', undefined, undefined]);
		expect(callbackOf('some tracking data of the workflow', '1')).toBeUndefined();
	});

	it('refuses more than 24 buttons or 6 in a row; Send and Wait falls back to links in the text then', () => {
		expect(keyboardProblem([Array.from({ length: 7 }, (_, i) => ({ text: `${i}`, url: 'https://x' }))])).toBe('A Viber keyboard row holds at most 6 buttons');
		const links = Array.from({ length: 7 }, (_, i) => ({ label: `Option ${i}`, url: `https://n8n.example/webhook-waiting/1/n?o=${i}` }));
		expect(viberWaitPrompt({ text: 'Pick', kind: 'answers', links }).buttons).toBeUndefined();
		expect(viberWaitPrompt({ text: 'Pick', kind: 'answers', links: links.slice(0, 2) }).buttons).toEqual([
			[
				{ text: 'Option 0', url: links[0].url },
				{ text: 'Option 1', url: links[1].url },
			],
		]);
	});
});
