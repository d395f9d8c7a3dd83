/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package):
 * customer conversations (docs/conversations.md) with the three examples
 * examples/{telegram,whatsapp,messenger}-conversations.json imported as a user imports them,
 * credentials pointing at the emulators, one seeded TeamSpirit user chosen as the operator, all
 * three published in one n8n.
 *
 * Per channel: two customers write (text, a photo, a document) and each gets a TeamSpirit chat of
 * their own with the files attached; the operator answers by typing and by TeamSpirit's reply with
 * a file, and the customer gets the text, the reply and the file; edits and deletes go each way
 * where the channel allows it (elsewhere the operator is told in the chat). Then n8n restarts
 * between a customer's message and the operator's answer, and nothing is lost or split.
 *
 * Every check is on what a customer (the channel emulator) or the operator (TeamSpirit) actually
 * receives. Run with `npm run test:e2e -- test/e2e/conversations.e2e.test.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { GraphEmulator, GraphUser } from '../emulators/graph';
import type { Chat, Message, TeamSpiritEmulator, User } from '../emulators/teamspirit';
import type { TelegramEmulator, TgUserJson } from '../emulators/telegram';
import type { TwilioEmulator } from '../emulators/twilio';
import {
	CONVERSATION_CHANNELS,
	conversationCredentials,
	conversationExample,
	customerWebhookUrl,
	startConversationEmulators,
	triggerWebhookIds,
	waitForConversationTriggers,
	type ConversationEmulators,
} from './conversation-setup';
import {
	createN8nHome,
	formatTimings,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	N8nEditor,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
} from './n8n';
import { signedKey } from './conversation-view';

const tarball = process.env.TS_PACKAGE_TARBALL;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(24_000)]);
const pdf = (title: string) =>
	Buffer.from(`%PDF-1.7\n% ${title}\n${randomBytes(6_000).toString('base64')}\n%%EOF\n`);

describe('Customer conversations (Telegram, WhatsApp, Messenger ⇄ TeamSpirit) in a real n8n', () => {
	let home: N8nHome;
	let n8n: RunningN8n | undefined;
	let port: number;
	let ts: TeamSpiritEmulator;
	let tg: TelegramEmulator;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;
	let operator: User;
	let emulators: ConversationEmulators;
	const editor = new N8nEditor(() => n8n!.url);
	const webhookIds: Record<string, string> = {};
	const started = Date.now();

	const showN8n = () =>
		`--- n8n output ---\n${n8n?.output().slice(-5000) ?? '(n8n is not running)'}`;
	const showTeamSpirit = () =>
		`--- TeamSpirit saw (last 40) ---\n${ts.requests
			.slice(-40)
			.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)} ${r.status}`)
			.join('\n')}`;

	async function waitFor<T>(
		what: string,
		probe: () => T | undefined | false | null,
		timeoutMs = 45_000,
	): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = probe();
			if (value) return value;
			if (Date.now() > deadline)
				throw new Error(`timed out waiting for ${what}\n${showTeamSpirit()}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	/** The chat TeamSpirit keeps for a conversation key. */
	const chatByKey = (key: string): Chat | undefined =>
		[...ts.chats.values()].find((c) => c.externalKey === key);
	const chatsOf = (channel: string) =>
		[...ts.chats.values()].filter((c) => c.externalKey?.startsWith(`${channel}:`));
	/** What the operator sees in a chat: every message, the bridge's and the operators'. */
	const messagesIn = (key: string): Message[] => {
		const chat = chatByKey(key);
		return chat ? ts.messagesIn(chat.id) : [];
	};
	const fromBot = (key: string) => messagesIn(key).filter((m) => m.senderId === ts.bot.id);
	const notices = (key: string) => fromBot(key).filter((m) => m.text.startsWith('⚠️'));
	/** The files of a TeamSpirit message as the operator downloads them. */
	const filesOf = (m: Message) =>
		m.files.map((f) => ({ mimeType: f.mimeType, sha256: sha256(ts.fileContent(f.id)) }));

	/** Waits until the chat of `key` holds `count` messages from the bridge (the customer's). */
	const customerMessages = async (key: string, count: number): Promise<Message[]> =>
		await waitFor(
			`${count} customer message(s) in the chat ${key}`,
			() => fromBot(key).length >= count && fromBot(key),
		);

	/** The operator types in TeamSpirit (TeamSpirit delivers message.created to the three triggers). */
	async function operatorPosts(
		key: string,
		fields: { text: string; replyToId?: string; fileIds?: string[] },
	): Promise<Message> {
		const chat = chatByKey(key);
		if (!chat) throw new Error(`no chat ${key}`);
		const { message, deliveries } = await ts.postAsUser(chat.id, operator.id, {
			format: 'plain',
			...fields,
		});
		expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
		return message;
	}

	/** The operator edits their message in TeamSpirit. */
	async function operatorEdits(message: Message, text: string): Promise<void> {
		const { deliveries } = await ts.editAsUser(message.id, { text });
		expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
	}

	/** The operator deletes their message in TeamSpirit. */
	async function operatorDeletes(message: Message): Promise<void> {
		const { deliveries } = await ts.deleteAsUser(message.id);
		expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
	}

	/** Waits until every execution started so far has finished; returns them all. */
	async function executionsSettled(): Promise<Array<{ id: string; status: string; mode: string }>> {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const list = await editor.executions();
			if (list.every((e) => !['new', 'running', 'waiting'].includes(e.status))) return list;
			if (Date.now() > deadline)
				throw new Error(`executions: ${JSON.stringify(list)}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	/** A file the operator attaches in the TeamSpirit app. */
	const operatorFile = (name: string, mimeType: string, content: Buffer) =>
		ts.uploadAsUser(operator.id, { name, mimeType, content });

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		emulators = await startConversationEmulators();
		({ ts, tg, tw, fb, operator } = emulators);

		home = await createN8nHome({ prefix: 'n8n-e2e-conversations-' });
		await installPackageTarball(home, tarball);
		await importCredentials(home, conversationCredentials(emulators));
		// answered when received, as these tests were written (the examples ship with After the
		// Workflow Has Run, run by the acknowledge and queue-mode suites)
		const workflows = CONVERSATION_CHANNELS.map((channel) => {
			const workflow = conversationExample(channel, operator.id);
			for (const node of workflow.nodes)
				if (node.type.endsWith('Trigger')) node.parameters.acknowledge = 'whenReceived';
			return workflow;
		});
		const ids = await importWorkflows(home, workflows);
		CONVERSATION_CHANNELS.forEach((channel, i) => {
			const { customer, operator: fromOperator } = triggerWebhookIds(workflows[i]);
			webhookIds[channel] = customer;
			webhookIds[`${channel}:teamspirit`] = fromOperator;
		});
		n8n = await startN8n(home);
		port = n8n.port;
		// published in the editor, as a user does (the CLI would cost seconds per workflow)
		await editor.setUpOwner();
		for (const id of ids) await editor.publish(id);
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulators?.stop();
		await home?.cleanup();
		timings.push({ label: 'conversations suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	const whatsappUrl = () => customerWebhookUrl(n8n!.url, webhookIds.whatsapp);
	const messengerUrl = () => customerWebhookUrl(n8n!.url, webhookIds.messenger);

	/** Everything the published workflows need is in place: registrations, polling, webhooks. */
	const ready = () =>
		waitForConversationTriggers(emulators, {
			registrations: 3,
			telegram: true,
			customerUrls: [whatsappUrl(), messengerUrl()],
			diagnostics: showN8n,
		});

	it('n8n registers the three operator triggers with TeamSpirit and starts the three customer triggers', async () => {
		await ready();
		expect([...ts.webhooks.values()].map((w) => [w.url, [...w.events].sort()]).sort()).toEqual(
			['telegram', 'whatsapp', 'messenger']
				.map((c) => [
					`${n8n!.url}/webhook/${webhookIds[`${c}:teamspirit`]}/teamspirit`,
					['message.created', 'message.deleted', 'message.updated'],
				])
				.sort(),
		);
	});

	// -------------------------------------------------------------------------------------------
	// Telegram
	// -------------------------------------------------------------------------------------------

	describe('Telegram', () => {
		const anna = {
			chatId: 7001,
			from: { id: 7001, first_name: 'Anna', last_name: 'Petrova', username: 'anna_p' },
		};
		const boris = { chatId: 7002, from: { id: 7002, first_name: 'Boris', last_name: 'Ivanov' } };
		const keyOf = (customer: { chatId: number }) =>
			signedKey(`telegram:${tg.botId}:${customer.chatId}`, ts);
		const files = {
			anna: { photo: jpeg(), doc: pdf('anna') },
			boris: { photo: jpeg(), doc: pdf('boris') },
		};
		/** Telegram message ids of what each customer sent. */
		const sent: Record<string, number[]> = { anna: [], boris: [] };
		/** What the customer sees from the bot (deleted messages flagged). */
		const received = (customer: { chatId: number }) => tg.sentMessages(customer.chatId);

		function write(
			customer: { chatId: number; from: Partial<TgUserJson> },
			step: number,
			photo: Buffer,
			doc: Buffer,
			docName: string,
		): number {
			let update;
			if (step === 0) {
				update = tg.pushMessage({
					chatId: customer.chatId,
					from: customer.from,
					text: `Hello, this is ${customer.from.first_name}: my parcel did not arrive`,
				});
			} else if (step === 1) {
				const small = tg.addFile(photo.subarray(0, 2_000), { mimeType: 'image/jpeg' });
				const large = tg.addFile(photo, { mimeType: 'image/jpeg' });
				const size = (f: typeof small, side: number) => ({
					file_id: f.file_id,
					file_unique_id: f.file_unique_id,
					file_size: f.file_size,
					width: side,
					height: side,
				});
				update = tg.pushMessage({
					chatId: customer.chatId,
					from: customer.from,
					extra: { photo: [size(small, 90), size(large, 800)], caption: 'The box is damaged' },
				});
			} else {
				const file = tg.addFile(doc, { mimeType: 'application/pdf', fileName: docName });
				update = tg.pushMessage({
					chatId: customer.chatId,
					from: customer.from,
					extra: {
						document: {
							file_id: file.file_id,
							file_unique_id: file.file_unique_id,
							file_size: file.file_size,
							file_name: docName,
							mime_type: 'application/pdf',
						},
					},
				});
			}
			return update.message.message_id as number;
		}

		it('two customers write (text, photo, document): each gets their own chat “Telegram · <name>” with the files attached', async () => {
			for (let step = 0; step < 3; step++) {
				sent.anna.push(write(anna, step, files.anna.photo, files.anna.doc, 'receipt-anna.pdf'));
				sent.boris.push(
					write(boris, step, files.boris.photo, files.boris.doc, 'receipt-boris.pdf'),
				);
				await customerMessages(keyOf(anna), step + 1);
				await customerMessages(keyOf(boris), step + 1);
			}
			for (const [customer, name, own] of [
				[anna, 'Anna Petrova', files.anna],
				[boris, 'Boris Ivanov', files.boris],
			] as const) {
				const chat = chatByKey(keyOf(customer))!;
				expect(chat).toMatchObject({ title: `Telegram · ${name}`, type: 'group' });
				expect(new Set(chat.memberIds)).toEqual(new Set([ts.bot.id, operator.id]));
				const messages = messagesIn(keyOf(customer));
				expect(messages.map((m) => [m.senderId, m.text, filesOf(m)])).toEqual([
					[ts.bot.id, `Hello, this is ${customer.from.first_name}: my parcel did not arrive`, []],
					[
						ts.bot.id,
						'The box is damaged',
						[{ mimeType: 'image/jpeg', sha256: sha256(own.photo) }],
					],
					[ts.bot.id, '', [{ mimeType: 'application/pdf', sha256: sha256(own.doc) }]],
				]);
				expect(messages[2].files[0].name).toBe(
					`receipt-${customer.from.first_name.toLowerCase()}.pdf`,
				);
			}
			expect(chatsOf('telegram')).toHaveLength(2);
			// the bridge's own posts never go back out to the customers
			expect(received(anna)).toEqual([]);
			expect(received(boris)).toEqual([]);
		});

		let typed: Message;
		let replied: Message;

		it('the operator answers by typing and by a TeamSpirit reply with a file: the customer gets the text, the reply and the file', async () => {
			const text = 'Hi Anna, we are on it: order_4711 *today* <b>not bold</b> & 100% sure 🚚';
			typed = await operatorPosts(keyOf(anna), { text });
			await waitFor('the typed answer on Telegram', () => received(anna).length === 1);
			expect(received(anna)[0]).toMatchObject({ method: 'sendMessage', text });
			expect(received(anna)[0].reply_to_message).toBeUndefined();

			const label = pdf('return label');
			const [, photoMessage] = messagesIn(keyOf(anna));
			replied = await operatorPosts(keyOf(anna), {
				text: 'Sorry about the box: here is a return label',
				replyToId: photoMessage.id,
				fileIds: [operatorFile('return-label.pdf', 'application/pdf', label).id],
			});
			await waitFor('the reply and its file on Telegram', () => received(anna).length === 3);
			const [, reply, document] = received(anna);
			expect(reply).toMatchObject({
				method: 'sendMessage',
				text: 'Sorry about the box: here is a return label',
				reply_to_message: { message_id: sent.anna[1] },
			});
			expect(document.method).toBe('sendDocument');
			expect(document.upload).toMatchObject({
				filename: 'return-label.pdf',
				size: label.length,
				sha256: sha256(label),
			});
			// Boris's conversation saw none of it; the operator was told of no trouble
			expect(received(boris)).toEqual([]);
			expect(notices(keyOf(anna))).toEqual([]);
		});

		it('a customer’s edit edits their TeamSpirit message; a customer’s reply to the operator becomes a TeamSpirit reply', async () => {
			const [first] = messagesIn(keyOf(anna));
			tg.pushMessage({
				chatId: anna.chatId,
				from: anna.from,
				edited: true,
				text: 'Hello, this is Anna: my parcel 4711 did not arrive',
				extra: { message_id: sent.anna[0] },
			});
			await waitFor('the edit in TeamSpirit', () => ts.message(first.id)?.editedAt);
			expect(ts.message(first.id)).toMatchObject({
				text: 'Hello, this is Anna: my parcel 4711 did not arrive',
				senderId: ts.bot.id,
			});

			const answered = received(anna)[0].message_id;
			const count = fromBot(keyOf(anna)).length;
			tg.pushMessage({
				chatId: anna.chatId,
				from: anna.from,
				text: 'Thank you!',
				extra: {
					reply_to_message: {
						message_id: answered,
						from: tg.bot,
						chat: { id: anna.chatId, type: 'private' },
						date: 1,
						text: 'x',
					},
				},
			});
			const [thanks] = (await customerMessages(keyOf(anna), count + 1)).slice(-1);
			expect(thanks).toMatchObject({ text: 'Thank you!', replyToId: typed.id });
			// no message was added for the edit, nothing went back to the customer
			expect(fromBot(keyOf(anna))).toHaveLength(count + 1);
			expect(received(anna)).toHaveLength(3);
		});

		it('the operator’s edit and delete are applied on Telegram (editMessageText, deleteMessage)', async () => {
			await operatorEdits(typed, 'Hi Anna, we are on it: order 4711 ships today');
			await waitFor('the edit on Telegram', () => received(anna)[0].edit_date);
			expect(received(anna)[0]).toMatchObject({
				method: 'sendMessage',
				text: 'Hi Anna, we are on it: order 4711 ships today',
			});
			expect(tg.calls('editMessageText')).toHaveLength(1);

			// the operator deletes the reply that carried the return label: the customer keeps neither
			await operatorDeletes(replied);
			await waitFor('the delete on Telegram', () => received(anna)[1].deleted);
			await executionsSettled();
			expect(received(anna).map((m) => [m.method, m.deleted ?? false])).toEqual([
				['sendMessage', false],
				['sendMessage', true],
				['sendDocument', true],
			]);
			expect(notices(keyOf(anna))).toEqual([]);
		});
	});

	// -------------------------------------------------------------------------------------------
	// WhatsApp (Twilio)
	// -------------------------------------------------------------------------------------------

	describe('WhatsApp (Twilio)', () => {
		const maria = { phone: '+4915112345678', name: 'Maria Garcia' };
		const jonas = { phone: '+4915187654321', name: 'Jonas Weber' };
		const keyOf = (customer: { phone: string }) =>
			signedKey(`whatsapp:${tw.whatsappNumber.replace(/^whatsapp:/, '')}:${customer.phone}`, ts);
		const files = {
			maria: { photo: jpeg(), doc: pdf('maria') },
			jonas: { photo: jpeg(), doc: pdf('jonas') },
		};
		const received = (customer: { phone: string }) => tw.messagesTo(`whatsapp:${customer.phone}`);

		async function write(
			customer: { phone: string; name: string },
			step: number,
			photo: Buffer,
			doc: Buffer,
		): Promise<void> {
			const params = { From: `whatsapp:${customer.phone}`, ProfileName: customer.name };
			const result =
				step === 0
					? await tw.sendInbound(whatsappUrl(), {
							...params,
							Body: `Hola, soy ${customer.name.split(' ')[0]}: my order is late`,
						})
					: step === 1
						? await tw.sendInbound(
								whatsappUrl(),
								{ ...params, Body: 'The box is damaged' },
								{ media: [{ bytes: photo, contentType: 'image/jpeg' }] },
							)
						: await tw.sendInbound(whatsappUrl(), params, {
								media: [{ bytes: doc, contentType: 'application/pdf' }],
							});
			expect(result.status).toBe(200);
		}

		it('two customers write (text, photo, document): each gets their own chat “WhatsApp · <ProfileName>” with the files attached', async () => {
			for (let step = 0; step < 3; step++) {
				await Promise.all([
					write(maria, step, files.maria.photo, files.maria.doc),
					write(jonas, step, files.jonas.photo, files.jonas.doc),
				]);
				await customerMessages(keyOf(maria), step + 1);
				await customerMessages(keyOf(jonas), step + 1);
			}
			for (const [customer, own] of [
				[maria, files.maria],
				[jonas, files.jonas],
			] as const) {
				const chat = chatByKey(keyOf(customer))!;
				expect(chat).toMatchObject({ title: `WhatsApp · ${customer.name}`, type: 'group' });
				expect(new Set(chat.memberIds)).toEqual(new Set([ts.bot.id, operator.id]));
				expect(messagesIn(keyOf(customer)).map((m) => [m.senderId, m.text, filesOf(m)])).toEqual([
					[ts.bot.id, `Hola, soy ${customer.name.split(' ')[0]}: my order is late`, []],
					[
						ts.bot.id,
						'The box is damaged',
						[{ mimeType: 'image/jpeg', sha256: sha256(own.photo) }],
					],
					[ts.bot.id, '', [{ mimeType: 'application/pdf', sha256: sha256(own.doc) }]],
				]);
			}
			expect(chatsOf('whatsapp')).toHaveLength(2);
			expect(received(maria)).toEqual([]);
			expect(received(jonas)).toEqual([]);
		});

		let typed: Message;

		it('the operator answers by typing and by a reply with a file: the customer gets the text, and the file through a link that serves its bytes', async () => {
			const text = 'Hola Maria, we are on it: order 4711 ships today 🚚';
			typed = await operatorPosts(keyOf(maria), { text });
			await waitFor('the typed answer on WhatsApp', () => received(maria).length === 1);
			expect(received(maria)[0]).toMatchObject({
				from: tw.whatsappNumber,
				body: text,
				mediaUrls: [],
			});

			const label = pdf('return label');
			const [, photoMessage] = messagesIn(keyOf(maria));
			await operatorPosts(keyOf(maria), {
				text: 'Sorry about the box: here is a return label',
				replyToId: photoMessage.id,
				fileIds: [operatorFile('return-label.pdf', 'application/pdf', label).id],
			});
			await waitFor(
				'the reply and its file on WhatsApp',
				() => received(maria).length === 3 && received(maria)[2].fetchedMedia.length === 1,
			);
			const [, reply, file] = received(maria);
			expect(reply).toMatchObject({
				body: 'Sorry about the box: here is a return label',
				mediaUrls: [],
			});
			// Twilio fetched the file from the link, without credentials: the operator's bytes
			expect(file.mediaUrls).toHaveLength(1);
			expect(file.mediaUrls[0].startsWith(ts.url)).toBe(true);
			expect(file.mediaUrls[0]).not.toContain(ts.apiKey);
			expect(file.fetchedMedia).toEqual([
				expect.objectContaining({
					status: 200,
					contentType: 'application/pdf',
					size: label.length,
					sha256: sha256(label),
				}),
			]);
			expect(file.status).not.toBe('failed');
			expect(received(jonas)).toEqual([]);
			expect(notices(keyOf(maria))).toEqual([]);
		});

		it('WhatsApp cannot edit or delete a sent message: the operator is told so in the chat, the customer gets nothing', async () => {
			await operatorEdits(typed, 'Hola Maria, order 4711 ships tomorrow');
			const [edited] = await waitFor(
				'the notice about the edit',
				() => notices(keyOf(maria)).length === 1 && notices(keyOf(maria)),
			);
			expect(edited.text).toMatch(/^⚠️ WhatsApp.*: the customer still sees the original\./);
			await operatorDeletes(typed);
			const [, deleted] = await waitFor(
				'the notice about the delete',
				() => notices(keyOf(maria)).length === 2 && notices(keyOf(maria)),
			);
			expect(deleted.text).toMatch(/^⚠️ WhatsApp.*: the customer still sees the message\./);
			expect(received(maria)).toHaveLength(3);
			// the notices are the bridge's own: they start nothing on the way out
			await ts.settled();
			expect(received(maria)).toHaveLength(3);
		});
	});

	// -------------------------------------------------------------------------------------------
	// Facebook Messenger
	// -------------------------------------------------------------------------------------------

	describe('Facebook Messenger', () => {
		let lena: GraphUser;
		let tom: GraphUser;
		const keyOf = (customer: GraphUser) => signedKey(`messenger:${fb.pageId}:${customer.id}`, ts);
		const files = {
			lena: { photo: jpeg(), doc: pdf('lena') },
			tom: { photo: jpeg(), doc: pdf('tom') },
		};
		const received = (customer: GraphUser) => fb.messagesTo(customer.id);

		async function write(
			customer: GraphUser,
			step: number,
			photo: Buffer,
			doc: Buffer,
		): Promise<void> {
			const event =
				step === 0
					? fb.messageEvent(customer.id, {
							text: `Hi, ${customer.first_name} here: my order is late`,
						})
					: step === 1
						? fb.messageEvent(customer.id, {
								text: 'The box is damaged',
								attachments: [
									{ type: 'image', bytes: photo, contentType: 'image/jpeg', filename: 'box.jpg' },
								],
							})
						: fb.messageEvent(customer.id, {
								attachments: [
									{
										type: 'file',
										bytes: doc,
										contentType: 'application/pdf',
										filename: 'receipt.pdf',
									},
								],
							});
			const result = await fb.deliver(messengerUrl(), [event]);
			expect(result.status).toBe(200);
		}

		it('two customers write (text, photo, document): each gets their own chat “Facebook Messenger · <profile name>” with the files attached', async () => {
			lena = fb.addUser({ first_name: 'Lena', last_name: 'Schmidt' });
			tom = fb.addUser({ first_name: 'Tom', last_name: 'Becker' });
			for (let step = 0; step < 3; step++) {
				await Promise.all([
					write(lena, step, files.lena.photo, files.lena.doc),
					write(tom, step, files.tom.photo, files.tom.doc),
				]);
				await customerMessages(keyOf(lena), step + 1);
				await customerMessages(keyOf(tom), step + 1);
			}
			for (const [customer, own] of [
				[lena, files.lena],
				[tom, files.tom],
			] as const) {
				const chat = chatByKey(keyOf(customer))!;
				expect(chat).toMatchObject({
					title: `Facebook Messenger · ${customer.name}`,
					type: 'group',
				});
				expect(new Set(chat.memberIds)).toEqual(new Set([ts.bot.id, operator.id]));
				expect(messagesIn(keyOf(customer)).map((m) => [m.senderId, m.text, filesOf(m)])).toEqual([
					[ts.bot.id, `Hi, ${customer.first_name} here: my order is late`, []],
					[
						ts.bot.id,
						'The box is damaged',
						[{ mimeType: 'image/jpeg', sha256: sha256(own.photo) }],
					],
					[ts.bot.id, '', [{ mimeType: 'application/pdf', sha256: sha256(own.doc) }]],
				]);
			}
			expect(chatsOf('messenger')).toHaveLength(2);
			expect(received(lena)).toEqual([]);
			expect(received(tom)).toEqual([]);
		});

		let typed: Message;

		it('the operator answers by typing and by a reply with a file: the customer gets the text and the uploaded file', async () => {
			const text = 'Hi Lena, we are on it: order 4711 ships today 🚚';
			typed = await operatorPosts(keyOf(lena), { text });
			await waitFor('the typed answer on Messenger', () => received(lena).length === 1);
			expect(received(lena)[0]).toMatchObject({ text, messagingType: 'RESPONSE' });

			const label = pdf('return label');
			const [, photoMessage] = messagesIn(keyOf(lena));
			await operatorPosts(keyOf(lena), {
				text: 'Sorry about the box: here is a return label',
				replyToId: photoMessage.id,
				fileIds: [operatorFile('return-label.pdf', 'application/pdf', label).id],
			});
			await waitFor('the reply and its file on Messenger', () => received(lena).length === 3);
			const [, reply, file] = received(lena);
			expect(reply).toMatchObject({ text: 'Sorry about the box: here is a return label' });
			expect(file.attachment?.type).toBe('file');
			expect(file.upload).toMatchObject({
				filename: 'return-label.pdf',
				size: label.length,
				sha256: sha256(label),
			});
			expect(received(tom)).toEqual([]);
			expect(notices(keyOf(lena))).toEqual([]);
		});

		it('Messenger cannot edit or delete a sent message: the operator is told so in the chat, the customer gets nothing', async () => {
			await operatorEdits(typed, 'Hi Lena, order 4711 ships tomorrow');
			const [edited] = await waitFor(
				'the notice about the edit',
				() => notices(keyOf(lena)).length === 1 && notices(keyOf(lena)),
			);
			expect(edited.text).toMatch(
				/^⚠️ Facebook Messenger.*: the customer still sees the original\./,
			);
			await operatorDeletes(typed);
			const [, deleted] = await waitFor(
				'the notice about the delete',
				() => notices(keyOf(lena)).length === 2 && notices(keyOf(lena)),
			);
			expect(deleted.text).toMatch(
				/^⚠️ Facebook Messenger.*: the customer still sees the message\./,
			);
			await ts.settled();
			expect(received(lena)).toHaveLength(3);
		});
	});

	// -------------------------------------------------------------------------------------------
	// Restart
	// -------------------------------------------------------------------------------------------

	it('an n8n restart between a customer’s message and the answer: the answer reaches the customer, the next message lands in the same chat', async () => {
		const tgCustomer = {
			chatId: 7003,
			from: { id: 7003, first_name: 'Chiara', last_name: 'Rossi' },
		};
		const waCustomer = { phone: '+393331234567', name: 'Chiara Rossi' };
		const fbCustomer = fb.addUser({ first_name: 'Chiara', last_name: 'Rossi' });
		const keys = {
			telegram: signedKey(`telegram:${tg.botId}:${tgCustomer.chatId}`, ts),
			whatsapp: signedKey(`whatsapp:${tw.whatsappNumber.replace(/^whatsapp:/, '')}:${waCustomer.phone}`, ts),
			messenger: signedKey(`messenger:${fb.pageId}:${fbCustomer.id}`, ts),
		};
		tg.pushMessage({ chatId: tgCustomer.chatId, from: tgCustomer.from, text: 'Anyone there?' });
		expect(
			(
				await tw.sendInbound(whatsappUrl(), {
					From: `whatsapp:${waCustomer.phone}`,
					ProfileName: waCustomer.name,
					Body: 'Anyone there?',
				})
			).status,
		).toBe(200);
		expect(
			(
				await fb.deliver(messengerUrl(), [
					fb.messageEvent(fbCustomer.id, { text: 'Anyone there?' }),
				])
			).status,
		).toBe(200);
		for (const key of Object.values(keys)) await customerMessages(key, 1);
		const chatIds = Object.values(keys).map((key) => chatByKey(key)!.id);
		const chatCount = ts.chats.size;

		await n8n!.stop();
		n8n = undefined;
		// the same URL as before, as in any real deployment: TeamSpirit, Twilio and Meta know it
		n8n = await startN8n(home, { port });
		await editor.login();
		await ready();
		expect(ts.webhooks.size).toBe(3);

		for (const key of Object.values(keys))
			await operatorPosts(key, { text: 'Yes, Olga here. How can I help?' });
		await waitFor('the answer on Telegram', () => tg.sentMessages(tgCustomer.chatId).length === 1);
		await waitFor(
			'the answer on WhatsApp',
			() => tw.messagesTo(`whatsapp:${waCustomer.phone}`).length === 1,
		);
		await waitFor('the answer on Messenger', () => fb.messagesTo(fbCustomer.id).length === 1);
		expect(tg.sentMessages(tgCustomer.chatId).map((m) => m.text)).toEqual([
			'Yes, Olga here. How can I help?',
		]);
		expect(tw.messagesTo(`whatsapp:${waCustomer.phone}`).map((m) => m.body)).toEqual([
			'Yes, Olga here. How can I help?',
		]);
		expect(fb.messagesTo(fbCustomer.id).map((m) => m.text)).toEqual([
			'Yes, Olga here. How can I help?',
		]);

		tg.pushMessage({ chatId: tgCustomer.chatId, from: tgCustomer.from, text: 'My parcel is lost' });
		expect(
			(
				await tw.sendInbound(whatsappUrl(), {
					From: `whatsapp:${waCustomer.phone}`,
					ProfileName: waCustomer.name,
					Body: 'My parcel is lost',
				})
			).status,
		).toBe(200);
		expect(
			(
				await fb.deliver(messengerUrl(), [
					fb.messageEvent(fbCustomer.id, { text: 'My parcel is lost' }),
				])
			).status,
		).toBe(200);
		for (const key of Object.values(keys)) await customerMessages(key, 2);

		expect(ts.chats.size).toBe(chatCount);
		expect(Object.values(keys).map((key) => chatByKey(key)!.id)).toEqual(chatIds);
		for (const key of Object.values(keys)) {
			expect(
				messagesIn(key).map((m) => [m.senderId === operator.id ? 'operator' : 'customer', m.text]),
			).toEqual([
				['customer', 'Anyone there?'],
				['operator', 'Yes, Olga here. How can I help?'],
				['customer', 'My parcel is lost'],
			]);
		}
		expect(chatByKey(keys.messenger)!.title).toBe('Facebook Messenger · Chiara Rossi');
	});

	it('no execution of the three workflows failed, and no secret shows in n8n’s output', async () => {
		await ts.settled();
		const list = await executionsSettled();
		expect(list.filter((e) => e.status !== 'success')).toEqual([]);
		expect(list.length).toBeGreaterThan(0);
		for (const secret of [ts.apiKey, tg.token, tw.authToken, fb.pageAccessToken, fb.appSecret])
			expect(n8n!.output()).not.toContain(secret);
	});
});
