/**
 * Viber's conversation driver (./types.ts): the Viber emulator posting callbacks to the trigger's
 * webhook, signed with the auth token. The trigger's activation sets the emulator's webhook.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritViberApi } from '../../../../credentials/TeamSpiritViberApi.credentials';
import { ViberEmulator } from '../../../emulators/viber';
import type { ChannelDriver, Driver } from './types';

/** The Viber emulator behind a running Viber driver (Viber's own tests). */
export const viberOf = (bridge: { driver: Driver }) => bridge.driver.emulator as ViberEmulator;

const SEND = /\/send_message$/;

export const driver: ChannelDriver = {
	name: 'viber',
	sendPath: SEND,
	title: 'Viber',
	customerEdits: false,
	customerFileNames: true,
	replies: false,
	// Viber's callbacks name no message a customer answers; a file message has no text
	customerReplies: false,
	documentCaptions: false,
	formatting: {
		// the bot's text is plain: whatever looks like markup is text
		customer: (() => {
			const text = '**Hello** _there_: snake_case_name, 2*3*4, [draft](x) `x_y` 👍🏽 \\o/';
			return { message: text, shown: text, markdown: false };
		})(),
		operator: {
			text: 'Order 4711 costs 2*3 — see the page (https://example.com/a_b) and code_x 👍🏽',
		},
	},
	// the customer unsubscribed: Viber lets a bot write only to subscribers
	refusal: { notice: /receiverNotSubscribed/, hint: /write again/ },
	e2e: true,

	async start(options: IDataObject = {}) {
		// the API at the root: the fault proxy keeps paths as they are
		const vb = await ViberEmulator.start({ apiPath: '', ...options });
		let next = 10;
		const users: string[] = [];
		return {
			emulator: vb,
			url: vb.apiUrl,
			// the bot's id without Viber's "pa:" (the adapter's account)
			account: vb.accountId.replace(/^pa:/, ''),
			credentialTypes: [new TeamSpiritViberApi()],
			credentials: {
				teamSpiritViberApi: { accessToken: vb.authToken, botName: 'TeamSpirit Shop', avatarUrl: '', baseUrl: vb.apiUrl },
			},
			adapt: () => undefined,
			newCustomer(first, last) {
				const id = `${String(next++).padStart(4, '0')}${'V'.repeat(18)}==`;
				vb.addUser({ id, name: `${first} ${last}` });
				users.push(id);
				return { first, last, name: `${first} ${last}`, conversationId: id, part: id };
			},
			async write(url, customer, message) {
				const events: Array<Record<string, unknown>> = [];
				if (message.photo) {
					events.push(vb.fileEvent(customer.part, { bytes: message.photo, name: 'photo.jpg', contentType: 'image/jpeg', type: 'picture', text: message.text }));
				} else if (message.document) {
					// a Viber file message has no text (documentCaptions: false)
					const { bytes, name, mimeType } = message.document;
					events.push(vb.fileEvent(customer.part, { bytes, name, contentType: mimeType, type: 'file' }));
				} else {
					events.push(vb.messageEvent(customer.part, { text: message.text ?? '' }));
				}
				for (const event of events) await vb.deliver(url, event);
				return {
					id: String(events[0].message_token),
					again: async () => {
						for (const event of events) await vb.deliver(url, event);
					},
				};
			},
			async shareLocation(url, customer, { latitude, longitude, title, address }) {
				await vb.deliver(
					url,
					vb.messageEvent(customer.part, { message: { type: 'location', location: { lat: latitude, lon: longitude, address: `${title}, ${address}` } } }),
				);
			},
			delivered: async () => undefined,
			received(customer) {
				return vb.messagesTo(customer.part).map((m) => ({
					id: m.token,
					text: m.text ?? '',
					source: m.text ?? '',
					...(m.media ? { fileUrl: m.media } : {}),
				}));
			},
			requests: () => vb.requests.length,
			async sendOutage(status) {
				if (status === 429) vb.failNext('send_message', 'tooManyRequests', { times: 1_000_000 });
				else vb.failNextHttp('send_message', status, { times: 1_000_000 });
				return async () => vb.clearFaults();
			},
			failNextSendAfterAccepting: () => vb.failNextHttp('send_message', 500, { afterAccepting: true }),
			refuseSends: () => {
				for (const id of users) vb.users.get(id)!.subscribed = false;
			},
			async forge(url, customer) {
				// signed with another token: not Viber's
				const event = vb.messageEvent(customer.part, { text: 'forged' });
				return (await vb.deliver(url, event, { forgeSignature: true })).status;
			},
			stop: async () => await vb.stop(),
		};
	},
};
