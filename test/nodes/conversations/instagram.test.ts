/**
 * Customer conversations on Instagram Direct as Instagram behaves (the conversation example,
 * through the engine): a customer's reply to the account's story and a story mention reach the
 * operators with their link (Instagram's rules forbid storing story media: the link is shown), in
 * the customer's conversation chat.
 */
import { instagramOf } from './drivers/instagram';
import { startBridge, type Bridge } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const STORY =
	'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000001&signature=abc';
const MENTION =
	'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000002&signature=def';

describe('Customer conversations (instagram): stories', () => {
	it('a reply to the account’s story and a story mention reach the conversation chat with their links', async () => {
		bridge = await startBridge('instagram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const ig = instagramOf(bridge);

		const reply = ig.messageEvent(anna.part, {
			text: 'Is this jacket still available?',
			replyToStory: { url: STORY, id: '17900000000000001' },
		});
		await ig.deliver(bridge.customerHook.url, [reply]);
		await bridge.settle();
		const mention = ig.messageEvent(anna.part, {
			links: [{ type: 'story_mention', url: MENTION }],
		});
		await ig.deliver(bridge.customerHook.url, [mention]);
		await bridge.settle();

		const [first, second, ...more] = bridge.messagesOf(anna);
		expect(more).toEqual([]);
		expect(first.text).toContain('Is this jacket still available?');
		expect(first.text).toContain(`Reply to your story: ${STORY}`);
		expect(second.text).toContain(`Story mention: ${MENTION}`);
	});
});
