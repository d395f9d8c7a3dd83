/**
 * Instagram Direct's conversation driver (./types.ts): the Graph emulator as the Messenger
 * Platform for Instagram (test/emulators/instagram.ts) delivering `object: "instagram"` events to
 * the trigger's webhook, signed with the app secret. Files the operators send are uploaded with the
 * attachment upload API and sent by attachment_id.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritInstagramApi } from '../../../../credentials/TeamSpiritInstagramApi.credentials';
import { InstagramEmulator } from '../../../emulators/instagram';
import type { ChannelDriver, Driver } from './types';

/** The emulator behind a running Instagram driver (Instagram's own tests). */
export const instagramOf = (bridge: { driver: Driver }) =>
	bridge.driver.emulator as InstagramEmulator;

const SEND = /\/messages$/;
const DAY = 24 * 60 * 60 * 1000;

export const driver: ChannelDriver = {
	name: 'instagram',
	sendPath: SEND,
	title: 'Instagram Direct',
	// Instagram reports no edits to apps
	customerEdits: false,
	// Instagram's media links (lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=…) carry no file name
	customerFileNames: false,
	replies: false,
	formatting: {
		// Instagram has no formatting: whatever looks like markup is text
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
	// Instagram's messages carry no location
	locations: false,
	e2e: true,

	async start(options: IDataObject = {}) {
		const ig = await InstagramEmulator.start(options);
		return {
			emulator: ig,
			url: ig.url,
			account: ig.instagramAccountId,
			credentialTypes: [new TeamSpiritInstagramApi()],
			credentials: { teamSpiritInstagramApi: ig.instagramCredentialData() },
			adapt: () => undefined,
			newCustomer(first, last) {
				const user = ig.addUser({ name: `${first} ${last}`, first_name: first, last_name: last });
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
				const event = ig.messageEvent(customer.part, {
					text: message.text,
					replyTo: message.replyTo,
					...(attachments.length ? { attachments } : {}),
				});
				await ig.deliver(url, [event]);
				return {
					id: String((event.message as IDataObject).mid),
					again: async () => {
						await ig.deliver(url, [event]);
					},
				};
			},
			delivered: async () => undefined,
			received(customer) {
				return ig.messagesTo(customer.part).map((m) => {
					const url = (m.attachment?.payload as IDataObject | undefined)?.url;
					const upload = ig.uploadOf(m);
					return {
						id: m.mid,
						text: m.text ?? '',
						source: m.text ?? '',
						...(upload ? { fileSha256: upload.sha256 } : {}),
						...(typeof url === 'string' ? { fileUrl: url } : {}),
					};
				});
			},
			requests: () => ig.requests.length,
			async sendOutage(status) {
				ig.failNext({
					method: 'POST',
					path: SEND,
					status,
					count: 1_000_000,
					...(status === 429 ? { retryAfter: 1 } : {}),
				});
				return async () => ig.clearFaults();
			},
			failNextSendAfterAccepting: () =>
				ig.failNext({ method: 'POST', path: SEND, status: 500, afterAccepting: true }),
			refuseSends: () => ig.advanceTime(7 * DAY + 60_000),
			closeAutomatedWindow: () => ig.advanceTime(DAY + 60_000),
			withoutPersonPermission: () => {
				ig.humanAgentPermission = false;
			},
			async forge(url, customer) {
				// X-Hub-Signature-256 computed with another app secret
				const event = ig.messageEvent(customer.part, { text: 'forged' });
				return (await ig.deliver(url, [event], { forgeSignature: true })).status;
			},
			stop: async () => await ig.stop(),
		};
	},
};
