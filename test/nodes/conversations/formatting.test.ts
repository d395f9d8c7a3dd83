/**
 * Formatting in customer conversations, both ways, through the examples: what the customer
 * typed (with the channel's formatting) is what the operator sees in TeamSpirit, and what the
 * operator wrote in TeamSpirit markdown is what the customer sees, with `_`, `*`, `[`, code spans
 * and emoji that must neither turn into formatting nor get lost.
 *
 * What the operator sees is read with `shown` (setup.ts), a small reader of the contract's
 * markdown subset, independent of the package's converters.
 */
import { CHANNELS, shown, startBridge, type Bridge, type Customer } from './setup';

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe('the reader of TeamSpirit markdown used here', () => {
	it('reads escapes, emphasis, code and links', () => {
		expect(shown('**a** _b_ *c* ~~d~~ `e_f` [g](https://h) 2\\*3 snake_case \\[x\\]')).toBe(
			'<b>a</b> <i>b</i> <i>c</i> <s>d</s> <code>e_f</code> <a https://h>g</a> 2*3 snake_case [x]',
		);
		expect(shown('2*3')).toContain('unclosed');
	});
});

describe.each(CHANNELS)('Customer conversations (%s): formatting', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
		anna = bridge.newCustomer('Anna', 'Petrova');
	});

	it('the customer’s text reaches the operator as typed: markup characters stay characters, the channel’s formatting becomes markdown', async () => {
		// the channel's formatted sample (its driver's); a channel without formatting: markup stays text
		const sample = bridge.channelDriver.formatting.customer;
		await bridge.write(anna, sample.message);
		const [message] = bridge.messagesOf(anna);
		if (sample.markdown) expect(message.format).toBe('markdown');
		expect(shown(message.text)).toBe(sample.shown);
	});

	it('the operator’s markdown reaches the customer in the channel’s formatting (Telegram HTML, WhatsApp, plain on Messenger)', async () => {
		await bridge.write(anna, 'Hi');
		await bridge.operatorPosts(anna, {
			text: '**Order** _4711_ costs 2\\*3 — see [the page](https://example.com/a_b) and `code_x` 👍🏽',
			format: 'markdown',
		});
		const [received] = bridge.received(anna);
		const expected = bridge.channelDriver.formatting.operator;
		expect(received.text).toBe(expected.text);
		if (expected.source) {
			// a channel that sends markup (Telegram HTML)
			expect(received.source.replace(expected.source.strip, '')).toBe(expected.source.stripped);
			expect(received.source).toMatch(expected.source.bold('Order'));
			expect(received.source).toMatch(expected.source.italic('4711'));
		}
		expect(bridge.messagesOf(anna)).toHaveLength(2); // no notice
	});

	it('the operator’s plain text reaches the customer character for character (no accidental formatting)', async () => {
		await bridge.write(anna, 'Hi');
		const text = 'Use snake_case_name, 2*3*4 < 5 & [x] `y` 👨‍👩‍👧 🇩🇪';
		await bridge.operatorPosts(anna, { text, format: 'plain' });
		const [received] = bridge.received(anna);
		expect(received.text).toBe(text);
		expect(bridge.messagesOf(anna)).toHaveLength(2);
	});
});
