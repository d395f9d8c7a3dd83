/**
 * VK's conversation driver (./types.ts): the VK emulator delivering the community's events to the
 * trigger by the Callback API (the example's long poll switched to webhook mode, acknowledged
 * when received: the Callback API must be answered `ok` at once), with the community's secret.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritVkApi } from '../../../../credentials/TeamSpiritVkApi.credentials';
import { VkEmulator } from '../../../emulators/vk';
import type { ChannelDriver, Driver } from './types';

/** The VK emulator behind a running VK driver (VK's own tests). */
export const vkOf = (bridge: { driver: Driver }) => bridge.driver.emulator as VkEmulator;

const SEND = /\/method\/messages\.send$/;

/** VK user ids are unique: customers of every emulator this process starts get new ones (names are cached per id). */
let nextUser = 2001;

export const driver: ChannelDriver = {
	name: 'vk',
	sendPath: SEND,
	title: 'VK',
	customerEdits: true,
	customerFileNames: true,
	replies: true,
	// messages.send carries random_id: a send retried after a lost answer is VK's same message
	idempotentSends: true,
	formatting: {
		// VK shows community messages as plain text: whatever looks like markup is text
		customer: (() => {
			const text = '**Hello** _there_: snake_case_name, 2*3*4, [draft](x) `x_y` 👍🏽 \\o/';
			return { message: text, shown: text, markdown: false };
		})(),
		operator: {
			text: 'Order 4711 costs 2*3 — see the page (https://example.com/a_b) and code_x 👍🏽',
		},
	},
	// the customer has not allowed the community's messages (error 901)
	refusal: { notice: /has not allowed messages from this community/ },
	e2e: true,

	async start(options: IDataObject = {}) {
		const vk = await VkEmulator.start(options);
		// as VK does: an event not answered `ok` is sent again, and after several in a row VK
		// stops sending (the trigger answers `ok` at once: the Callback API takes nothing else)
		const deliver = async (url: string, event: IDataObject) => {
			const answers = await vk.deliverUntilOk(url, event);
			const last = answers[answers.length - 1];
			if (last.body !== 'ok') throw new Error(`the trigger answered VK ${last.status} ${last.body}`);
		};
		return {
			emulator: vk,
			url: vk.url,
			account: String(vk.groupId),
			credentialTypes: [new TeamSpiritVkApi()],
			credentials: { teamSpiritVkApi: vk.credentialData() },
			adapt(workflow) {
				const trigger = workflow.nodes.find((n) => n.name === 'Customer writes')!;
				trigger.parameters.mode = 'webhook';
				// the Callback API is answered `ok` at once: "After the Workflow Has Run" (the
				// example's, with Long Polling) is refused in webhook mode
				trigger.parameters.acknowledge = 'whenReceived';
			},
			newCustomer(first, last) {
				const id = nextUser++;
				vk.addUser({ id, first_name: first, last_name: last });
				return { first, last, name: `${first} ${last}`, conversationId: String(id), part: String(id) };
			},
			async write(url, customer, message) {
				const from = Number(customer.part);
				const attachments = [
					...(message.photo ? [vk.photoAttachment(message.photo, from)] : []),
					...(message.document
						? [vk.docAttachment(message.document.name, message.document.bytes, from, message.document.mimeType)]
						: []),
				];
				const event = vk.messageEvent({
					fromId: from,
					text: message.text,
					attachments,
					...(message.replyTo ? { replyTo: { id: Number(message.replyTo), from_id: -vk.groupId, peer_id: from, text: '' } } : {}),
				});
				await deliver(url, event);
				const id = String((event.object as { message: { id: number } }).message.id);
				return { id, again: async () => await deliver(url, event) };
			},
			async edit(url, customer, id, text) {
				const original = vk.messageObject({ fromId: Number(customer.part), id: Number(id) });
				await deliver(url, vk.eventOf('message_edit', { ...original, text, update_time: Math.floor(Date.now() / 1000) }));
			},
			async shareLocation(url, customer, { latitude, longitude, title, address }) {
				const event = vk.messageEvent({
					fromId: Number(customer.part),
					geo: { type: 'point', coordinates: { latitude, longitude }, place: { title, address } },
				});
				await deliver(url, event);
			},
			delivered: async () => undefined,
			received(customer) {
				return vk.messagesTo(customer.part).map((m) => ({
					id: String(m.id),
					text: m.text,
					source: m.text,
					...(m.reply_to ? { replyTo: String(m.reply_to) } : {}),
					...(m.files[0] ? { fileSha256: m.files[0].sha256 } : {}),
					...(m.deleted ? { deleted: true } : {}),
					...(m.edits.length ? { edited: true } : {}),
				}));
			},
			requests: () => vk.calls.length,
			calls: (kind) => vk.callsOf(kind === 'edit' ? 'messages.edit' : 'messages.delete').length,
			async sendOutage(status) {
				// VK's own shapes: 10 (internal server error), 6 (too many requests per second)
				vk.failNext({ method: 'messages.send', code: status === 429 ? 6 : 10, count: 1_000_000 });
				return async () => vk.clearFaults();
			},
			failNextSendAfterAccepting: () => vk.failNext({ method: 'messages.send', code: 10, afterAccepting: true }),
			refuseSends() {
				for (const user of vk.users.values()) user.allowsMessages = false;
			},
			async forge(url, customer) {
				const event = vk.messageEvent({ fromId: Number(customer.part), text: 'forged' });
				return (await vk.deliver(url, event, { secret: 'not-the-community-secret' })).status;
			},
			stop: async () => await vk.stop(),
		};
	},
};
