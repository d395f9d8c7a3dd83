/**
 * WhatsApp's conversation driver (./types.ts): Twilio's emulator posting inbound messages to the
 * trigger's webhook, signed as Twilio signs them.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritTwilioApi } from '../../../../credentials/TeamSpiritTwilioApi.credentials';
import { TwilioEmulator } from '../../../emulators/twilio';
import type { ChannelDriver, Driver } from './types';

/** The Twilio emulator behind a running WhatsApp driver (WhatsApp's own tests). */
export const twilioOf = (bridge: { driver: Driver }) => bridge.driver.emulator as TwilioEmulator;

const SEND = /\/Messages\.json$/;
const DAY = 24 * 60 * 60 * 1000;

export const driver: ChannelDriver = {
	name: 'whatsapp',
	sendPath: SEND,
	title: 'WhatsApp',
	customerEdits: false,
	customerFileNames: false,
	replies: false,
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
	// the customer's last message is more than 24 hours old (63016); the notice names what the
	// operator can do
	refusal: { notice: /24 hours|63016/, hint: /template/i },
	e2e: true,

	async start(options: IDataObject = {}) {
		const tw = await TwilioEmulator.start({ windowErrors: 'sync', ...options });
		let next = 10;
		return {
			emulator: tw,
			url: tw.url,
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
			async shareLocation(url, customer, { latitude, longitude, title, address }) {
				await tw.sendInbound(url, {
					From: customer.conversationId,
					ProfileName: customer.name,
					Body: '',
					Latitude: String(latitude),
					Longitude: String(longitude),
					Label: title,
					Address: address,
				});
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
			requests: () => tw.requests.length,
			async sendOutage(status) {
				tw.failNext({
					method: 'POST',
					path: SEND,
					status,
					count: 1_000_000,
					...(status === 429 ? { retryAfter: 1 } : {}),
				});
				return async () => tw.clearFaults();
			},
			failNextSendAfterAccepting: () =>
				tw.failNext({ method: 'POST', path: SEND, status: 500, afterAccepting: true }),
			refuseSends: () => tw.advanceTime(DAY + 60_000),
			async forge(url, customer) {
				// X-Twilio-Signature computed with another auth token
				const result = await tw.sendInbound(
					url,
					{ From: customer.conversationId, ProfileName: customer.name, Body: 'forged' },
					{ forgeSignature: true },
				);
				return result.status;
			},
			stop: async () => await tw.stop(),
		};
	},
};
