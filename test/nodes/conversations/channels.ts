/**
 * The three channels as a customer uses them, for the conversation tests (setup.ts): a customer
 * writes (the channel emulator calls the trigger's webhook as the real service would), and what
 * reached the customer is read back from the emulator in one comparable shape.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { GraphEmulator, type GraphEmulatorOptions } from '../../emulators/graph';
import { TelegramEmulator } from '../../emulators/telegram';
import { TwilioEmulator, type TwilioEmulatorOptions } from '../../emulators/twilio';
import type { WorkflowJson } from '../../harness';

export const CHANNELS = ['telegram', 'whatsapp', 'messenger'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A customer of one channel. `part` is the conversation part of the chat key. */
export interface Customer {
	first: string;
	last: string;
	name: string;
	/** The conversation id the Chat Channel node takes (Telegram chat id, whatsapp:+…, PSID). */
	conversationId: string;
	part: string;
}

export interface Outgoing {
	text?: string;
	/** Telegram only: the text's entities. */
	entities?: IDataObject[];
	/** The channel message id the customer answers. */
	replyTo?: string;
	photo?: Buffer;
	document?: { bytes: Buffer; name: string; mimeType: string };
}

/** What reached the customer, in the channel's terms made comparable. */
export interface Received {
	id: string;
	/** The text or caption as the customer sees it. */
	text: string;
	/** What the bridge sent (Telegram: the HTML source; others: the text). */
	source: string;
	replyTo?: string;
	/** sha256 of an uploaded file, or the link a channel fetches files from. */
	fileSha256?: string;
	fileUrl?: string;
	deleted?: boolean;
	edited?: boolean;
}

export interface Driver {
	readonly account: string;
	/** The channel's emulator (one of them). */
	tg?: TelegramEmulator;
	tw?: TwilioEmulator;
	fb?: GraphEmulator;
	credentialTypes: ICredentialType[];
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Turns the example's customer trigger into what runs here (Telegram: webhook mode). */
	adapt(workflow: WorkflowJson): void;
	newCustomer(first: string, last: string): Customer;
	/** The customer writes; resolves with the channel message id and a way to deliver it again. */
	write(
		url: string,
		customer: Customer,
		message: Outgoing,
	): Promise<{ id: string; again: () => Promise<void> }>;
	/** Telegram only: the customer edits a message. */
	edit?(url: string, customer: Customer, id: string, text: string): Promise<void>;
	/** Resolves when everything the channel pushed has been answered. */
	delivered(): Promise<void>;
	received(customer: Customer): Received[];
	stop(): Promise<void>;
}

export async function telegram(): Promise<Driver> {
	const tg = await TelegramEmulator.start({ rateLimits: false });
	let nextChat = 1001;
	const delivered = async () =>
		await tg.waitFor(() => tg.pending.length === 0, 20_000, 'Telegram to deliver its updates');
	return {
		tg,
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
		stop: async () => await tg.stop(),
	};
}

export async function whatsapp(options: TwilioEmulatorOptions = {}): Promise<Driver> {
	const tw = await TwilioEmulator.start({ windowErrors: 'sync', ...options });
	let next = 10;
	return {
		tw,
		account: tw.whatsappNumber.replace(/^whatsapp:/, ''),
		credentialTypes: [new TeamSpiritTwilioApi()],
		credentials: {
			teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
		},
		adapt: () => undefined,
		newCustomer(first, last) {
			const phone = `+491511234${String(next++).padStart(4, '0')}`;
			return {
				first,
				last,
				name: `${first} ${last}`,
				conversationId: `whatsapp:${phone}`,
				part: phone,
			};
		},
		async write(url, customer, message) {
			const params: Record<string, string> = {
				From: customer.conversationId,
				ProfileName: customer.name,
				Body: message.text ?? '',
			};
			if (message.replyTo) {
				params.OriginalRepliedMessageSender = tw.whatsappNumber;
				params.OriginalRepliedMessageSid = message.replyTo;
			}
			const media = [
				...(message.photo ? [{ bytes: message.photo, contentType: 'image/jpeg' }] : []),
				...(message.document
					? [{ bytes: message.document.bytes, contentType: message.document.mimeType }]
					: []),
			];
			const result = await tw.sendInbound(url, params, { media });
			return {
				id: String(result.params.MessageSid),
				again: async () => {
					await tw.sendInbound(url, result.params);
				},
			};
		},
		delivered: async () => undefined,
		received(customer) {
			return tw.messagesTo(customer.conversationId).map((m) => ({
				id: m.sid,
				text: m.body,
				source: m.body,
				...(m.mediaUrls[0] ? { fileUrl: m.mediaUrls[0] } : {}),
			}));
		},
		stop: async () => await tw.stop(),
	};
}

export async function messenger(options: GraphEmulatorOptions = {}): Promise<Driver> {
	const fb = await GraphEmulator.start(options);
	return {
		fb,
		account: fb.pageId,
		credentialTypes: [new TeamSpiritMessengerApi()],
		credentials: {
			teamSpiritMessengerApi: fb.credentialData(),
		},
		adapt: () => undefined,
		newCustomer(first, last) {
			const user = fb.addUser({ first_name: first, last_name: last });
			return { first, last, name: user.name, conversationId: user.id, part: user.id };
		},
		async write(url, customer, message) {
			const attachments = [
				...(message.photo
					? [
							{
								type: 'image' as const,
								bytes: message.photo,
								contentType: 'image/jpeg',
								filename: 'photo.jpg',
							},
						]
					: []),
				...(message.document
					? [
							{
								type: 'file' as const,
								bytes: message.document.bytes,
								contentType: message.document.mimeType,
								filename: message.document.name,
							},
						]
					: []),
			];
			const event = fb.messageEvent(customer.part, {
				text: message.text,
				replyTo: message.replyTo,
				...(attachments.length ? { attachments } : {}),
			});
			await fb.deliver(url, [event]);
			return {
				id: String((event.message as IDataObject).mid),
				again: async () => {
					await fb.deliver(url, [event]);
				},
			};
		},
		async edit(url, customer, id, text) {
			await fb.deliver(url, [fb.editEvent(customer.part, { mid: id, text })]);
		},
		delivered: async () => undefined,
		received(customer) {
			return fb.messagesTo(customer.part).map((m) => {
				const url = (m.attachment?.payload as IDataObject | undefined)?.url;
				return {
					id: m.mid,
					text: m.text ?? '',
					source: m.text ?? '',
					...(m.upload ? { fileSha256: m.upload.sha256 } : {}),
					...(typeof url === 'string' ? { fileUrl: url } : {}),
				};
			});
		},
		stop: async () => await fb.stop(),
	};
}

/** The channel's emulator, driven as its customers would. */
export async function startChannel(
	channel: Channel,
	options: { twilio?: TwilioEmulatorOptions; graph?: GraphEmulatorOptions } = {},
): Promise<Driver> {
	if (channel === 'telegram') return await telegram();
	if (channel === 'whatsapp') return await whatsapp(options.twilio);
	return await messenger(options.graph);
}
