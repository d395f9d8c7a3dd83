/**
 * Messenger's conversation driver (./types.ts): the Graph emulator delivering page events to the
 * trigger's webhook, signed with the app secret.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../../credentials/TeamSpiritMessengerApi.credentials';
import { GraphEmulator } from '../../../emulators/graph';
import type { ChannelDriver, Driver } from './types';

/** The Graph emulator behind a running Messenger driver (Messenger's own tests). */
export const graphOf = (bridge: { driver: Driver }) => bridge.driver.emulator as GraphEmulator;

const SEND = /\/messages$/;
const DAY = 24 * 60 * 60 * 1000;

export const driver: ChannelDriver = {
	name: 'messenger',
	sendPath: SEND,
	title: 'Facebook Messenger',
	customerEdits: true,
	customerFileNames: true,
	replies: false,
	formatting: {
		// Messenger has no formatting: whatever looks like markup is text
		customer: (() => {
			const text = '**Hello** _there_: snake_case_name, 2*3*4, [draft](x) `x_y` 👍🏽 \\o/';
			return { message: text, shown: text, markdown: false };
		})(),
		operator: {
			text: 'Order 4711 costs 2*3 — see the page (https://example.com/a_b) and code_x 👍🏽',
		},
	},
	// the customer's last message is more than 7 days old: not even a person (HUMAN_AGENT) may answer
	refusal: {
		notice: /window/,
		hint: /more than 7 days ago.*has to write first/,
		person: { permission: /this Meta app does not have the Human Agent permission/ },
	},
	e2e: true,

	async start(options: IDataObject = {}) {
		const fb = await GraphEmulator.start(options);
		return {
			emulator: fb,
			url: fb.url,
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
			async shareLocation(url, customer, { latitude, longitude, title, address }) {
				const event = fb.messageEvent(customer.part, {});
				(event.message as IDataObject).attachments = [
					{
						type: 'location',
						title: `${title}, ${address}`,
						payload: { coordinates: { lat: latitude, long: longitude } },
					},
				];
				await fb.deliver(url, [event]);
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
			requests: () => fb.requests.length,
			async sendOutage(status) {
				fb.failNext({
					method: 'POST',
					path: SEND,
					status,
					count: 1_000_000,
					...(status === 429 ? { retryAfter: 1 } : {}),
				});
				return async () => fb.clearFaults();
			},
			failNextSendAfterAccepting: () =>
				fb.failNext({ method: 'POST', path: SEND, status: 500, afterAccepting: true }),
			refuseSends: () => fb.advanceTime(7 * DAY + 60_000),
			closeAutomatedWindow: () => fb.advanceTime(DAY + 60_000),
			withoutPersonPermission: () => {
				fb.humanAgentPermission = false;
			},
			async forge(url, customer) {
				// X-Hub-Signature-256 computed with another app secret
				const event = fb.messageEvent(customer.part, { text: 'forged' });
				return (await fb.deliver(url, [event], { forgeSignature: true })).status;
			},
			stop: async () => await fb.stop(),
		};
	},
};
