/**
 * Telegram's conversation driver (./types.ts): the Bot API emulator pushing updates to the
 * trigger's webhook (the example switched from long polling to webhook mode).
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritTelegramApi } from '../../../../credentials/TeamSpiritTelegramApi.credentials';
import { TelegramEmulator } from '../../../emulators/telegram';
import type { ChannelDriver, Driver } from './types';

/** The Telegram emulator behind a running Telegram driver (Telegram's own tests). */
export const telegramOf = (bridge: { driver: Driver }) => bridge.driver.emulator as TelegramEmulator;

const SEND = /\/sendMessage$/;

export const driver: ChannelDriver = {
	name: 'telegram',
	sendPath: SEND,
	title: 'Telegram',
	customerEdits: true,
	customerFileNames: true,
	replies: true,
	formatting: {
		customer: (() => {
			const text = 'Price 2*3*4 for snake_case_name [draft] 👍🏽 now run x_y, see docs';
			const entity = (part: string, type: string, extra: IDataObject = {}): IDataObject => ({
				type,
				offset: text.indexOf(part),
				length: part.length,
				...extra,
			});
			return {
				message: {
					text,
					entities: [
						entity('now', 'bold'),
						entity('x_y', 'code'),
						entity('Price', 'italic'),
						entity('docs', 'text_link', { url: 'https://example.com/a_b' }),
					],
				},
				shown:
					'<i>Price</i> 2*3*4 for snake_case_name [draft] 👍🏽 <b>now</b> run <code>x_y</code>, see <a https://example.com/a_b>docs</a>',
				markdown: true,
			};
		})(),
		operator: {
			text: 'Order 4711 costs 2*3 — see the page and code_x 👍🏽',
			source: {
				stripped:
					'Order 4711 costs 2*3 — see <a href="https://example.com/a_b">the page</a> and <code>code_x</code> 👍🏽',
				strip: /<\/?(b|strong|i|em)>/g,
				bold: (word) => new RegExp(`<(b|strong)>${word}</(b|strong)>`),
				italic: (word) => new RegExp(`<(i|em)>${word}</(i|em)>`),
			},
		},
		boldStart: (text, length) => ({ text, entities: [{ type: 'bold', offset: 0, length }] }),
	},
	// the customer blocked the bot
	refusal: { notice: /blocked/ },
	e2e: true,

	async start() {
		const tg = await TelegramEmulator.start({ rateLimits: false });
		let nextChat = 1001;
		const delivered = async () =>
			await tg.waitFor(() => tg.pending.length === 0, 20_000, 'Telegram to deliver its updates');
		return {
			emulator: tg,
			url: tg.url,
			account: String(tg.botId),
			credentialTypes: [new TeamSpiritTelegramApi()],
			credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
			adapt(workflow) {
				const trigger = workflow.nodes.find((n) => n.name === 'Customer writes')!;
				trigger.parameters.mode = 'webhook';
			},
			newCustomer(first, last) {
				const id = String(nextChat++);
				return { first, last, name: `${first} ${last}`, conversationId: id, part: id };
			},
			async write(_url, customer, message) {
				const extra: IDataObject = {};
				if (message.entities)
					extra[message.photo || message.document ? 'caption_entities' : 'entities'] =
						message.entities;
				if (message.replyTo)
					extra.reply_to_message = {
						message_id: Number(message.replyTo),
						date: 1,
						chat: { id: Number(customer.part), type: 'private' },
					};
				if (message.photo) {
					const file = tg.addFile(message.photo, { mimeType: 'image/jpeg', fileName: 'photo.jpg' });
					extra.photo = [
						{
							file_id: file.file_id,
							file_unique_id: file.file_unique_id,
							width: 800,
							height: 600,
							file_size: file.file_size,
						},
					];
				}
				if (message.document) {
					const { bytes, name, mimeType } = message.document;
					const file = tg.addFile(bytes, { mimeType, fileName: name });
					extra.document = {
						file_id: file.file_id,
						file_unique_id: file.file_unique_id,
						file_name: name,
						mime_type: mimeType,
						file_size: file.file_size,
					};
				}
				const media = message.photo || message.document;
				if (media && message.text !== undefined) extra.caption = message.text;
				const update = tg.pushMessage({
					chatId: Number(customer.part),
					text: media ? undefined : message.text,
					from: {
						id: Number(customer.part),
						first_name: customer.first,
						last_name: customer.last,
						username: customer.first.toLowerCase(),
					},
					extra,
				});
				await delivered();
				return {
					id: String((update.message as IDataObject).message_id),
					again: async () => {
						tg.pushUpdate(update);
						await delivered();
					},
				};
			},
			async edit(_url, customer, id, text) {
				tg.pushMessage({
					chatId: Number(customer.part),
					text,
					edited: true,
					from: { id: Number(customer.part), first_name: customer.first, last_name: customer.last },
					extra: { message_id: Number(id) },
				});
				await delivered();
			},
			async shareLocation(_url, customer, { latitude, longitude, title, address }) {
				tg.pushMessage({
					chatId: Number(customer.part),
					from: { id: Number(customer.part), first_name: customer.first, last_name: customer.last },
					extra: {
						location: { latitude, longitude },
						venue: { location: { latitude, longitude }, title, address },
					},
				});
			},
			delivered,
			received(customer) {
				return tg.sentMessages(customer.part).map((m) => {
					const file = m.photo?.[m.photo.length - 1] ?? m.document ?? m.video ?? m.audio ?? m.voice;
					const stored = file ? tg.files.get(file.file_id) : undefined;
					return {
						id: String(m.message_id),
						text: String(m.text ?? m.caption ?? ''),
						source: String(m.source ?? ''),
						...(m.reply_to_message ? { replyTo: String(m.reply_to_message.message_id) } : {}),
						...(m.upload ? { fileSha256: m.upload.sha256 } : {}),
						...(stored?.url ? { fileUrl: stored.url } : {}),
						...(m.deleted ? { deleted: true } : {}),
						...(m.edit_date ? { edited: true } : {}),
					};
				});
			},
			requests: () => tg.requests.length,
			calls: (kind) => tg.calls(kind === 'edit' ? 'editMessageText' : 'deleteMessage').length,
			async sendOutage(status, proxy) {
				// the Bot API's own error shape (the Telegram emulator's failures cannot be cleared)
				const remove = proxy.rule({
					match: (r) => r.method === 'POST' && SEND.test(r.path),
					action:
						status === 429
							? {
									status,
									headers: { 'retry-after': '1' },
									json: {
										ok: false,
										error_code: 429,
										description: 'Too Many Requests: retry after 1',
										parameters: { retry_after: 1 },
									},
								}
							: { status, json: { ok: false, error_code: 503, description: 'Service Unavailable' } },
				});
				return async () => remove();
			},
			failNextSendAfterAccepting: () =>
				tg.failNext({ method: 'sendMessage', status: 500, afterAccepting: true }),
			refuseSends: () =>
				tg.failNext({
					method: 'sendMessage',
					status: 403,
					description: 'Forbidden: bot was blocked by the user',
				}),
			async forge(url, customer) {
				// a message update as Telegram sends it, with a secret token other than the one the
				// trigger set with setWebhook
				const update = {
					update_id: 900_000_001,
					message: {
						message_id: 900_001,
						date: Math.floor(Date.now() / 1000),
						chat: { id: Number(customer.part), type: 'private' },
						from: { id: Number(customer.part), is_bot: false, first_name: customer.first },
						text: 'forged',
					},
				};
				const res = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'not-the-secret' },
					body: JSON.stringify(update),
				});
				await res.text();
				return res.status;
			},
			stop: async () => await tg.stop(),
		};
	},
};
