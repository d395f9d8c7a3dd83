/**
 * WhatsApp (Cloud API)'s conversation driver (./types.ts): the Cloud API emulator posting
 * `whatsapp_business_account` notifications to the trigger's webhook, signed with the app secret;
 * the customers write to the emulator's first business number.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritWhatsAppCloudApi } from '../../../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { WhatsAppCloudEmulator } from '../../../emulators/whatsappcloud';
import type { ChannelDriver, Driver } from './types';

/** The Cloud API emulator behind a running WhatsApp (Cloud API) driver (the channel's own tests). */
export const whatsappCloudOf = (bridge: { driver: Driver }) =>
	bridge.driver.emulator as WhatsAppCloudEmulator;

const SEND = /\/messages$/;
const DAY = 24 * 60 * 60 * 1000;

export const driver: ChannelDriver = {
	name: 'whatsappcloud',
	sendPath: SEND,
	title: 'WhatsApp',
	e2e: true,
	customerEdits: true,
	customerFileNames: true,
	replies: true,
	formatting: {
		customer: {
			message: '*Hello* _there_: snake_case_name, 2*3*4, [draft] `x_y` ~gone~ 👍🏽',
			shown:
				'<b>Hello</b> <i>there</i>: snake_case_name, 2*3*4, [draft] <code>x_y</code> <s>gone</s> 👍🏽',
			markdown: true,
		},
		operator: {
			text: '*Order* _4711_ costs 2*3 — see the page (https://example.com/a_b) and `code_x` 👍🏽',
		},
		boldStart: (text, length) => `*${text.slice(0, length)}*${text.slice(length)}`,
	},
	// the customer's last message is more than 24 hours old (131047); the notice names what the
	// operator can do
	refusal: { notice: /24 hours|131047/, hint: /template/i },

	async start(options: IDataObject = {}) {
		const wa = await WhatsAppCloudEmulator.start({ windowErrors: 'sync', ...options });
		let next = 10;
		const names = new Map<string, string>();
		return {
			emulator: wa,
			url: wa.url,
			account: wa.phoneNumberId,
			credentialTypes: [new TeamSpiritWhatsAppCloudApi()],
			credentials: { teamSpiritWhatsAppCloudApi: wa.credentialData() },
			adapt: () => undefined,
			newCustomer(first, last) {
				const waId = `491511234${String(next++).padStart(4, '0')}`;
				names.set(waId, `${first} ${last}`);
				return { first, last, name: `${first} ${last}`, conversationId: waId, part: waId };
			},
			async write(url, customer, message) {
				const name = names.get(customer.part);
				const media = message.photo
					? { type: 'image' as const, bytes: message.photo, mimeType: 'image/jpeg', caption: message.text }
					: message.document
						? {
								type: 'document' as const,
								bytes: message.document.bytes,
								mimeType: message.document.mimeType,
								filename: message.document.name,
								caption: message.text,
							}
						: undefined;
				const value = wa.messageValue(customer.part, {
					name,
					replyTo: message.replyTo,
					...(media ? { media } : { text: message.text ?? '' }),
				});
				await wa.deliver(url, [value]);
				return {
					id: String(value.messages![0].id),
					again: async () => {
						await wa.deliver(url, [value]);
					},
				};
			},
			async edit(url, customer, id, text) {
				await wa.deliver(url, [
					wa.messageValue(customer.part, {
						name: names.get(customer.part),
						type: 'edit',
						content: { original_message_id: id, message: { type: 'text', text: { body: text } } },
					}),
				]);
			},
			async shareLocation(url, customer, { latitude, longitude, title, address }) {
				await wa.deliver(url, [
					wa.messageValue(customer.part, {
						name: names.get(customer.part),
						type: 'location',
						content: { latitude, longitude, name: title, address },
					}),
				]);
			},
			delivered: async () => await wa.settled(),
			received(customer) {
				return wa.messagesTo(customer.part).map((m) => ({
					id: m.id,
					text: m.text ?? '',
					source: m.text ?? '',
					...(m.replyTo ? { replyTo: m.replyTo } : {}),
					...(m.upload ? { fileSha256: m.upload.sha256 } : {}),
					...(m.link ? { fileUrl: m.link } : {}),
				}));
			},
			requests: () => wa.requests.length,
			async sendOutage(status) {
				wa.failNext({ method: 'POST', path: SEND, status, count: 1_000_000 });
				return async () => wa.clearFaults();
			},
			failNextSendAfterAccepting: () =>
				wa.failNext({ method: 'POST', path: SEND, status: 500, afterAccepting: true }),
			refuseSends: () => wa.advanceTime(DAY + 60_000),
			async forge(url, customer) {
				// signed with another app's secret
				const value = wa.messageValue(customer.part, { text: 'forged', name: names.get(customer.part) });
				return (await wa.deliver(url, [value], { forgeSignature: true })).status;
			},
			stop: async () => await wa.stop(),
		};
	},
};
