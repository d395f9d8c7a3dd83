/**
 * The conformance kit of VK: test/emulators/vk.ts; deliveries by the Callback API (mode Webhook),
 * checked with the community's secret. VK answers every call with HTTP 200: a rate-limited send
 * (error 6 or 9) is counted here as the 429 it stands for, another error as a 400.
 */
import { TeamSpiritVkApi } from '../../../credentials/TeamSpiritVkApi.credentials';
import { VkEmulator } from '../../emulators/vk';

import { kit as channelKit, uploaded } from './kit';

const PEERS = [1001, 1002, 1003];

export const kit = channelKit<VkEmulator>({
	name: 'vk',
	emulator: VkEmulator,
	credentialType: new TeamSpiritVkApi(),
	credentials: (vk) => vk.credentialData(),
	fixture: 'vk.message.send',
	conversations: (vk) => {
		for (const id of PEERS) vk.addUser({ id, first_name: 'Customer', last_name: String(id) });
		return PEERS.map(String);
	},
	sent: (vk, peer) => vk.messagesTo(peer).map((m) => ({ id: String(m.id), text: m.text })),
	// an upload arrives as the message's attachment; a file by URL as a link in its text (VK takes no file by URL)
	files: (vk, peer) =>
		vk.messagesTo(peer).flatMap((m) => {
			if (m.files.length) return m.files.map(uploaded);
			const link = /(?:^|\n)(https?:\/\/\S+)$/.exec(m.text)?.[1];
			return link ? [{ url: link }] : [];
		}),
	sendStatuses: (vk) =>
		vk.callsOf('messages.send').map((c) => (c.errorCode === 0 ? 200 : [6, 9].includes(c.errorCode) ? 429 : 400)),
	inject429: (vk) => vk.failNext({ method: 'messages.send', code: 6 }),
	triggerParameters: { mode: 'webhook' },
	downloadOptions: (options) => ({ vkOptions: options }),
	deliver: async (vk, hook, { key, signature, file, unreadable }) => {
		const attachments = file ? [vk.docAttachment(file.name, file.bytes, 1001)] : undefined;
		// a date no calendar has (year 3 million and more): no timestamp can be made of it
		const event = vk.messageEvent({ fromId: 1001, text: `hi ${key}`, attachments, id: 7000 + key, eventId: `conformance${key}`, date: unreadable ? 1e20 : undefined });
		const secret = signature === 'forged' ? 'not-the-secret' : signature === 'missing' ? null : undefined;
		return (await vk.deliver(hook.url, event, { secret })).status;
	},
	// bytes that are no JSON (n8n's body parser answers before the node), JSON that is no VK event
	malformed: async (vk, hook) => [
		(await vk.deliver(hook.url, {}, { rawBody: '{"type":' })).status,
		(await vk.deliver(hook.url, { hello: 'world' })).status,
	],
	malformedStatuses: [422, 400],
	// an event type the trigger does not read (someone joined the community)
	unknown: async (vk, hook, key) => (await vk.deliver(hook.url, vk.eventOf('group_join', { user_id: 1001, join_type: 'join' }, `join${key}`))).status,
	unreadableNotice: /^This event could not be read/,
});
