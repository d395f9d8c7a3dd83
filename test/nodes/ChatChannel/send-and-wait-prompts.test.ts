/**
 * What every channel of the registry must do with a Send and Wait question: every link reaches the
 * customer, a form link as something a browser opens (text or a link button), an answer link also
 * as a button whose payload the channel's trigger relays (`n8n-wait:` + the link). Pure: the
 * rendering per channel; the sends and the relay are in send-and-wait*.test.ts.
 */
import { adapters } from '../../../nodes/channels';
import type { WaitQuestion } from '../../../nodes/channels/types';
import { promptOf } from '../../../nodes/channels/waiting';

const link = (label: string, approved: string) => ({
	label,
	url: `https://n8n.example.com/webhook-waiting/812/c0a5a17e?approved=${approved}&signature=${'a'.repeat(64)}`,
});

const approval: WaitQuestion = { text: 'Confirm your appointment tomorrow at 10?', kind: 'answers', links: [link('Yes, confirm', 'true'), link('No', 'false')] };
const form: WaitQuestion = { text: 'Which time suits you?', kind: 'form', links: [link('Respond', 'true')] };

/** How the customer can reach each link of the prompt: 'open' (text or URL button), 'relay', or missing. */
function reach(adapterName: keyof typeof adapters, question: WaitQuestion) {
	const prompt = promptOf(adapters[adapterName], question);
	const buttons = (prompt.buttons ?? []).flat();
	return question.links.map(({ label, url }) => {
		const button = buttons.find((b) => b.url === url || b.callbackData === `n8n-wait:${url}`);
		if (button) return [label, button.text === label ? (button.url ? 'open' : 'relay') : 'wrong label'];
		return [label, prompt.text.includes(`${label}: ${url}`) ? 'open' : 'missing'];
	});
}

describe.each(Object.keys(adapters) as Array<keyof typeof adapters>)('Send and Wait question on %s', (name) => {
	it('keeps the question first and offers every answer', () => {
		const prompt = promptOf(adapters[name], approval);
		expect(prompt.text.startsWith(approval.text)).toBe(true);
		expect(reach(name, approval).map(([, how]) => how).every((how) => how === 'open' || how === 'relay')).toBe(true);
	});

	it('opens a form link in a browser (never a relayed payload)', () => {
		expect(reach(name, form)).toEqual([['Respond', 'open']]);
	});
});

it('each channel shows approval answers its own way', () => {
	expect(reach('telegram', approval).map(([, how]) => how)).toEqual(['open', 'open']);
	expect(promptOf(adapters.telegram, approval).buttons).toHaveLength(1);
	expect(reach('messenger', approval).map(([, how]) => how)).toEqual(['relay', 'relay']);
	expect(reach('whatsapp', approval).map(([, how]) => how)).toEqual(['open', 'open']);
	expect(promptOf(adapters.whatsapp, approval).buttons).toBeUndefined();
});

it('Messenger falls back to links in the text when a payload would pass Meta’s 1000 characters', () => {
	const long = { ...approval, links: [{ label: 'Yes', url: `https://n8n.example.com/webhook-waiting/1/n?x=${'y'.repeat(1000)}&signature=s` }] };
	const prompt = promptOf(adapters.messenger, long);
	expect(prompt.buttons).toBeUndefined();
	expect(prompt.text).toContain(`Yes: ${long.links[0].url}`);
});
