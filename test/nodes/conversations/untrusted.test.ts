/**
 * What a customer controls besides their message text, through the examples: their name, a
 * shared location's or contact's name, file names. In TeamSpirit all of it is literal text:
 * no link, no formatting, no mention of an employee, no direction override or invisible
 * character in chat titles, announcements and file names.
 */
import type { IDataObject } from 'n8n-workflow';

import { theDriver } from './drivers';
import { telegramOf } from './drivers/telegram';
import { CHANNELS, PDF, shown, startBridge, type Bridge, type Customer } from './setup';

/** The word joiner the bridge puts after an `@` that would be a mention (U+2060). */
const MENTION_BREAK = '\u2060';

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const LINK = '[Win](http://evil.test)';
/** Bidi controls, zero-width characters, C0/C1 controls (what cleanField removes). */
const HIDDEN =
	/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060\uFEFF\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** TeamSpirit's mention rule (docs/teamspirit-api.md, "Mentions"): whether `username` is mentioned. */
const mentions = (text: string, username: string) =>
	new RegExp(`(?<![A-Za-z0-9_])@${username}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_])`).test(text);

/** What the operator reads, without the word joiner that keeps `@olga` from being a mention. */
const read = (markdown: string) => shown(markdown).replaceAll(MENTION_BREAK, '');

/** Shares a location named `title` at `address` (52.52, 13.405), as each channel sends it. */
async function shareLocation(customer: Customer, title: string, address: string) {
	await bridge.driver.shareLocation!(bridge.customerHook.url, customer, {
		latitude: 52.52,
		longitude: 13.405,
		title,
		address,
	});
	await bridge.settle();
}

/** Sets "Forward to TeamSpirit"'s options in the running example (the next executions use them). */
function forwardOptions(options: IDataObject) {
	const node = bridge.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
	node.parameters.conversationOptions = options as never;
}

describe.each(CHANNELS)('Customer conversations (%s): what the customer controls', (channel) => {
	beforeEach(async () => {
		bridge = await startBridge(channel);
	});

	it('a name with markup, a mention, a right-to-left override and invisible characters: a clean chat title, metadata and announcement that mention no one', async () => {
		const team = bridge.ts.addChat({ title: 'Support team', memberIds: [bridge.operator.id] });
		forwardOptions({ announceChat: { __rl: true, mode: 'id', value: team.id } });
		const anna = bridge.newCustomer(LINK, '@olga\u202Egnp.exe\u200B\u0007');
		await bridge.write(anna, 'Hello');

		const clean = `${LINK} @olgagnp.exe`;
		const chat = bridge.chatOf(anna)!;
		expect(chat.title).toBe(`${bridge.title} · ${clean}`);
		expect(chat.metadata.customer).toMatchObject({ name: clean });
		expect(JSON.stringify(chat)).not.toMatch(HIDDEN);

		const [announcement] = bridge.ts.messagesIn(team.id);
		expect(announcement.format).toBe('plain');
		expect(announcement.text.replaceAll(MENTION_BREAK, '')).toBe(
			`New ${bridge.title} conversation: ${clean} (chat "${bridge.title} · ${clean}")`,
		);
		expect(mentions(announcement.text, 'olga')).toBe(false);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual(['success']);
	});

	it('a name thousands of characters long still gets a chat: cut to 200 between graphemes', async () => {
		// a channel that refuses longer names (Website Chat: 200) gives the longest it takes
		const limit = theDriver(channel).maxNameLength;
		const last = limit ? '👍🏽'.repeat(Math.floor((limit - 'Anna '.length) / '👍🏽'.length)) : `${'👍🏽'.repeat(1300)}x`;
		const anna = bridge.newCustomer('Anna', last);
		await bridge.write(anna, 'Hello');

		const chat = bridge.chatOf(anna)!;
		expect(chat).toBeDefined();
		expect(chat.title.length).toBeLessThanOrEqual(200);
		expect(chat.title).toMatch(new RegExp(`^${bridge.title} · Anna (👍🏽)+$`, 'u'));
		expect(String((chat.metadata.customer as IDataObject).name)).toMatch(/^Anna (👍🏽)+$/u);
		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual(['Hello']);
	});

	it('the customer’s own text mentions no employee: @olga shows as typed (with its formatting) and notifies no one', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const text = '@olga please call me, cc @oskar. Mail: anna@olga.example';
		// "@olga" bold, on a channel with formatting
		const bold = bridge.channelDriver.formatting.boldStart?.(text, 5);
		await bridge.write(anna, bold ?? text);
		const [message] = bridge.messagesOf(anna);
		expect(read(message.text)).toBe(bold ? `<b>@olga</b> ${text.slice(6)}` : text);
		expect(mentions(message.text, 'olga')).toBe(false);
		expect(mentions(message.text, 'oskar')).toBe(false);
	});

	// a channel without locations has no such message
	(theDriver(channel).locations === false ? it.skip : it)('a shared location named like a link, with markup and a mention, arrives as literal text', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await shareLocation(anna, `${LINK} \u202Etxt.exe`, '**Main St** `1` @olga');

		const [message] = bridge.messagesOf(anna);
		expect(message.format).toBe('markdown');
		expect(read(message.text)).toBe(
			`📍 ${LINK} txt.exe, **Main St** \`1\` @olga: https://www.openstreetmap.org/?mlat=52.52&mlon=13.405#map=17/52.52/13.405`,
		);
		expect(mentions(message.text, 'olga')).toBe(false);
		expect(message.text).not.toMatch(BIDI);
	});
});

describe('Customer conversations (telegram): contacts and files', () => {
	beforeEach(async () => {
		bridge = await startBridge('telegram');
	});

	it('a shared contact named [Win](http://evil.test) arrives as literal text, not a link', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		telegramOf(bridge).pushMessage({
			chatId: Number(anna.part),
			from: { id: Number(anna.part), first_name: 'Anna', last_name: 'Petrova' },
			extra: {
				contact: { first_name: LINK, last_name: '**Boss** @oskar', phone_number: '+4915112345678' },
			},
		});
		await bridge.settle();

		const [message] = bridge.messagesOf(anna);
		expect(read(message.text)).toBe(`👤 Contact: ${LINK} **Boss** @oskar, +4915112345678`);
		expect(mentions(message.text, 'oskar')).toBe(false);
	});

	it('a file not downloaded keeps its name as literal text, without direction overrides', async () => {
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const tg = telegramOf(bridge);
		// more than the 20 MB Telegram lets a bot download: the attachment stays a notice
		const file = tg.addFile(PDF, {
			mimeType: 'application/pdf',
			fileName: 'big.pdf',
			size: 25 * 1024 * 1024,
		});
		const name = `${LINK} @olga \u202Efdp.exe`;
		tg.pushMessage({
			chatId: Number(anna.part),
			from: { id: Number(anna.part), first_name: 'Anna', last_name: 'Petrova' },
			extra: {
				document: {
					file_id: file.file_id,
					file_unique_id: file.file_unique_id,
					file_name: name,
					mime_type: 'application/pdf',
					file_size: file.file_size,
				},
			},
		});
		await bridge.settle();

		const [message] = bridge.messagesOf(anna);
		expect(message.files).toEqual([]);
		expect(read(message.text)).toMatch(
			new RegExp(`^\\(document "${escapeRegExp(`${LINK} @olga fdp.exe`)}" not shown: .+\\)$`),
		);
		expect(shown(message.text)).not.toMatch(/<a /);
		expect(mentions(message.text, 'olga')).toBe(false);
		expect(message.text).not.toMatch(BIDI);
	});
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(CHANNELS.filter((channel) => theDriver(channel).customerFileNames))(
	'Customer conversations (%s): uploaded file names',
	(channel) => {
		beforeEach(async () => {
			bridge = await startBridge(channel);
		});

		it('a file named invoice\\u202Efdp.exe is uploaded to TeamSpirit as invoicefdp.exe', async () => {
			const anna = bridge.newCustomer('Anna', 'Petrova');
			await bridge.write(anna, {
				text: 'The invoice',
				document: { bytes: PDF, name: 'invoice\u202Efdp\u200B.exe', mimeType: 'application/pdf' },
			});
			const [message] = bridge.messagesOf(anna);
			expect(message.files.map((f) => f.name)).toEqual(['invoicefdp.exe']);
		});
	},
);
