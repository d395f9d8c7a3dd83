/** The conformance kit of Facebook Messenger (Graph API): test/emulators/graph.ts; JSON signed with X-Hub-Signature-256. */
import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { GraphEmulator } from '../../emulators/graph';

import { kit as channelKit, uploaded } from './kit';

export const kit = channelKit<GraphEmulator>({
	name: 'messenger',
	emulator: GraphEmulator,
	credentialType: new TeamSpiritMessengerApi(),
	credentials: (fb) => fb.credentialData(),
	fixture: 'messenger.message.send',
	conversations: (fb) => {
		const psids = ['7000000000000001', '7000000000000002', '7000000000000003'];
		for (const id of psids) {
			fb.addUser({ id });
			fb.touch(id);
		}
		return psids;
	},
	sent: (fb, psid) => fb.messagesTo(psid).map((m) => ({ id: m.mid, text: m.text ?? '' })),
	files: (fb, psid) =>
		fb
			.messagesTo(psid)
			.filter((m) => m.upload || m.attachment)
			.map((m) => (m.upload ? uploaded(m.upload) : { url: String(m.attachment!.payload.url) })),
	sendStatuses: (fb) => fb.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).map((r) => r.status),
	inject429: (fb) => fb.failNext({ status: 429, method: 'POST', path: /\/messages$/, retryAfter: 1 }),
	triggerParameters: {},
	downloadOptions: (options) => ({ messengerOptions: options }),
	deliver: async (fb, hook, { key, signature, file, unreadable }) => {
		const attachments = file ? [{ type: 'file' as const, bytes: file.bytes, contentType: 'application/pdf', filename: file.name }] : undefined;
		// a timestamp Meta never sends (year 3 million): no date can be made of it
		const event = fb.messageEvent('7000000000000001', { text: `hi ${key}`, attachments, mid: `m_conformance_${key}`, timestamp: unreadable ? 1e20 : undefined });
		const result = await fb.deliver(hook.url, [event], { forgeSignature: signature === 'forged', omitSignature: signature === 'missing' });
		return result.status;
	},
	// bytes that are no JSON (n8n's body parser answers before the node), JSON that is no page event
	malformed: async (fb, hook) => [
		(await fb.deliver(hook.url, [], { rawBody: '{"object":' })).status,
		(await fb.deliver(hook.url, [fb.messageEvent('7000000000000001', { text: 'x' })], { object: 'instagram' })).status,
	],
	malformedStatuses: [422, 400],
	// an event kind the trigger does not read (a reaction)
	unknown: async (fb, hook, key) =>
		(
			await fb.deliver(hook.url, [
				{ sender: { id: '7000000000000001' }, recipient: { id: fb.pageId }, timestamp: 1_700_000_000_000, reaction: { mid: `m_conformance_${key}`, action: 'react', reaction: 'love', emoji: '❤' } },
			])
		).status,
	unreadableNotice: /^This event could not be read/,
});
