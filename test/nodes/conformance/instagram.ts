/** The conformance kit of Instagram Direct (Messenger Platform for Instagram): test/emulators/instagram.ts; JSON signed with X-Hub-Signature-256. */
import { TeamSpiritInstagramApi } from '../../../credentials/TeamSpiritInstagramApi.credentials';
import { InstagramEmulator } from '../../emulators/instagram';

import { kit as channelKit, uploaded } from './kit';

const IGSIDS = ['1790000000000001', '1790000000000002', '1790000000000003'];

export const kit = channelKit<InstagramEmulator>({
	name: 'instagram',
	emulator: InstagramEmulator,
	credentialType: new TeamSpiritInstagramApi(),
	credentials: (ig) => ig.instagramCredentialData(),
	fixture: 'instagram.message.send',
	conversations: (ig) => {
		for (const id of IGSIDS) {
			ig.addUser({ id });
			ig.touch(id);
		}
		return IGSIDS;
	},
	sent: (ig, igsid) => ig.messagesTo(igsid).map((m) => ({ id: m.mid, text: m.text ?? '' })),
	files: (ig, igsid) =>
		ig.messagesTo(igsid)
			.filter((m) => m.attachment)
			.map((m) => {
				const upload = ig.uploadOf(m);
				return upload ? uploaded(upload) : { url: String(m.attachment!.payload.url) };
			}),
	sendStatuses: (ig) => ig.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).map((r) => r.status),
	inject429: (ig) => ig.failNext({ status: 429, method: 'POST', path: /\/messages$/, retryAfter: 1 }),
	triggerParameters: {},
	downloadOptions: (options) => ({ instagramOptions: options }),
	deliver: async (ig, hook, { key, signature, file, unreadable }) => {
		const attachments = file ? [{ type: 'file' as const, bytes: file.bytes, contentType: 'application/pdf', filename: file.name }] : undefined;
		// a timestamp Meta never sends (year 3 million): no date can be made of it
		const event = ig.messageEvent(IGSIDS[0], { text: `hi ${key}`, attachments, mid: `aWdfconformance_${key}`, timestamp: unreadable ? 1e20 : undefined });
		const result = await ig.deliver(hook.url, [event], { forgeSignature: signature === 'forged', omitSignature: signature === 'missing' });
		return result.status;
	},
	// bytes that are no JSON (n8n's body parser answers before the node), JSON that is no Instagram event
	malformed: async (ig, hook) => [
		(await ig.deliver(hook.url, [], { rawBody: '{"object":' })).status,
		(await ig.deliver(hook.url, [ig.messageEvent(IGSIDS[0], { text: 'x' })], { object: 'page' })).status,
	],
	malformedStatuses: [422, 400],
	// an event kind the trigger does not read (a referral)
	unknown: async (ig, hook, key) =>
		(
			await ig.deliver(hook.url, [
				{ sender: { id: IGSIDS[0] }, recipient: { id: ig.instagramAccountId }, timestamp: 1_700_000_000_000 + key, referral: { ref: `conformance_${key}`, source: 'IGME', type: 'OPEN_THREAD' } },
			])
		).status,
	unreadableNotice: /^This event could not be read/,
});
