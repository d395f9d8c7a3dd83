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

/** Telegram entity over the first occurrence of `part` (offsets in UTF-16 units, as Telegram counts). */
const entity = (text: string, part: string, type: string, extra: object = {}) => ({
	type,
	offset: text.indexOf(part),
	length: part.length,
	...extra,
});

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
		if (channel === 'telegram') {
			const text = 'Price 2*3*4 for snake_case_name [draft] 👍🏽 now run x_y, see docs';
			await bridge.write(anna, {
				text,
				entities: [
					entity(text, 'now', 'bold'),
					entity(text, 'x_y', 'code'),
					entity(text, 'Price', 'italic'),
					entity(text, 'docs', 'text_link', { url: 'https://example.com/a_b' }),
				],
			});
			const [message] = bridge.messagesOf(anna);
			expect(message.format).toBe('markdown');
			expect(shown(message.text)).toBe(
				'<i>Price</i> 2*3*4 for snake_case_name [draft] 👍🏽 <b>now</b> run <code>x_y</code>, see <a https://example.com/a_b>docs</a>',
			);
		} else if (channel === 'whatsapp') {
			await bridge.write(anna, '*Hello* _there_: snake_case_name, 2*3*4, [draft] `x_y` ~gone~ 👍🏽');
			const [message] = bridge.messagesOf(anna);
			expect(message.format).toBe('markdown');
			expect(shown(message.text)).toBe(
				'<b>Hello</b> <i>there</i>: snake_case_name, 2*3*4, [draft] <code>x_y</code> <s>gone</s> 👍🏽',
			);
		} else {
			// Messenger has no formatting: whatever looks like markup is text
			const text = '**Hello** _there_: snake_case_name, 2*3*4, [draft](x) `x_y` 👍🏽 \\o/';
			await bridge.write(anna, text);
			const [message] = bridge.messagesOf(anna);
			expect(shown(message.text)).toBe(text);
		}
	});

	it('the operator’s markdown reaches the customer in the channel’s formatting (Telegram HTML, WhatsApp, plain on Messenger)', async () => {
		await bridge.write(anna, 'Hi');
		await bridge.operatorPosts(anna, {
			text: '**Order** _4711_ costs 2\\*3 — see [the page](https://example.com/a_b) and `code_x` 👍🏽',
			format: 'markdown',
		});
		const [received] = bridge.received(anna);
		const expected = {
			telegram: {
				text: 'Order 4711 costs 2*3 — see the page and code_x 👍🏽',
				source:
					'Order 4711 costs 2*3 — see <a href="https://example.com/a_b">the page</a> and <code>code_x</code> 👍🏽',
			},
			whatsapp: {
				text: '*Order* _4711_ costs 2*3 — see the page (https://example.com/a_b) and `code_x` 👍🏽',
			},
			messenger: {
				text: 'Order 4711 costs 2*3 — see the page (https://example.com/a_b) and code_x 👍🏽',
			},
		}[channel];
		expect(received.text).toBe(expected.text);
		if (channel === 'telegram') {
			expect(received.source.replace(/<\/?(b|strong|i|em)>/g, '')).toBe(
				(expected as { source: string }).source,
			);
			expect(received.source).toMatch(/<(b|strong)>Order<\/(b|strong)>/);
			expect(received.source).toMatch(/<(i|em)>4711<\/(i|em)>/);
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
