/**
 * The conformance kit of Viber (REST Bot API): test/emulators/viber.ts; JSON callbacks signed with
 * X-Viber-Content-Signature. Viber answers HTTP 200 to every API call and says in the body what
 * happened: `sendStatuses` reads status 12 (tooManyRequests) as 429, 0 as 200.
 */
import { TeamSpiritViberApi } from '../../../credentials/TeamSpiritViberApi.credentials';
import { ViberEmulator } from '../../emulators/viber';

import { kit as channelKit } from './kit';

const ADA = 'AAAAAAAAAAAAAAAAAAAAAA==';
/** Message tokens of the deliveries: one per key, 64-bit as Viber's are. */
const tokenOf = (key: number) => (5_000_000_000_000_000_000n + BigInt(key)).toString();

export const kit = channelKit<ViberEmulator>({
	name: 'viber',
	emulator: ViberEmulator,
	credentialType: new TeamSpiritViberApi(),
	credentials: (vb) => ({ accessToken: vb.authToken, botName: 'TeamSpirit Shop', avatarUrl: '', baseUrl: vb.apiUrl }),
	fixture: 'viber.message.send',
	conversations: (vb) => {
		const ids = [ADA, 'BBBBBBBBBBBBBBBBBBBBBA==', 'CCCCCCCCCCCCCCCCCCCCCA=='];
		for (const id of ids) vb.addUser({ id, name: `User ${id.slice(0, 1)}` });
		return ids;
	},
	sent: (vb, id) => vb.messagesTo(id).map((m) => ({ id: m.token, text: m.text ?? '' })),
	files: (vb, id) =>
		vb
			.messagesTo(id)
			.filter((m) => m.media)
			.map((m) => ({ url: m.media! })),
	sendStatuses: (vb) => vb.sendStatuses(),
	inject429: (vb) => vb.failNext('send_message', 'tooManyRequests'),
	triggerParameters: {},
	downloadOptions: (options) => ({ viberOptions: options }),
	deliver: async (vb, hook, { key, signature, file, unreadable }) => {
		vb.users.has(ADA) || vb.addUser({ id: ADA, name: 'Ada' });
		const event = file
			? vb.fileEvent(ADA, { bytes: file.bytes, name: file.name, contentType: 'application/pdf', type: 'file' }, tokenOf(key))
			: vb.messageEvent(ADA, { text: `hi ${key}`, token: tokenOf(key) });
		// a timestamp Viber never sends (year 3 million): no date can be made of it
		if (unreadable) event.timestamp = 1e20;
		const result = await vb.deliver(hook.url, event, { forgeSignature: signature === 'forged', omitSignature: signature === 'missing' });
		return result.status;
	},
	// bytes that are no JSON, JSON that is no Viber callback (both signed)
	malformed: async (vb, hook) => [
		(await vb.deliver(hook.url, {}, { rawBody: '{"event":' })).status,
		(await vb.deliver(hook.url, {}, { rawBody: '{"object":"page","entry":[]}' })).status,
	],
	malformedStatuses: [422, 400],
	// a callback the trigger does not take (seen is not selected by default)
	unknown: async (vb, hook, key) => (await vb.deliver(hook.url, vb.seenEvent(tokenOf(key), ADA))).status,
	unreadableNotice: /^This event could not be read/,
});
