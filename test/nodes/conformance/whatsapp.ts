/** The conformance kit of WhatsApp through Twilio: test/emulators/twilio.ts; form posts signed with X-Twilio-Signature. */
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { TwilioEmulator, twilioSignature } from '../../emulators/twilio';
import { twilioRequest } from '../../helpers/signing';

import { kit as channelKit } from './kit';

export const kit = channelKit<TwilioEmulator>({
	name: 'whatsapp',
	emulator: TwilioEmulator,
	credentialType: new TeamSpiritTwilioApi(),
	credentials: (tw) => ({ accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url }),
	fixture: 'whatsapp.message.send',
	conversations: (tw) => {
		const numbers = ['whatsapp:+4915112345678', 'whatsapp:+4915112345679', 'whatsapp:+4915112345670'];
		for (const n of numbers) tw.touch(n);
		return numbers;
	},
	sent: (tw, to) => tw.messagesTo(to).map((m) => ({ id: m.sid, text: m.body })),
	files: (tw, to) =>
		tw
			.messagesTo(to)
			.filter((m) => m.mediaUrls.length)
			.map((m) => ({ url: m.mediaUrls[0] })),
	sendStatuses: (tw) => tw.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).map((r) => r.status),
	inject429: (tw) => tw.failNext({ status: 429, method: 'POST', path: /\/Messages\.json$/, retryAfter: 1 }),
	triggerParameters: {},
	downloadOptions: (options) => ({ whatsappOptions: options }),
	deliver: async (tw, hook, { key, signature, file, unreadable }) => {
		const MessageSid = `SM${String(key).padStart(32, '0')}`;
		// Twilio's form has no field that can break the event itself: what cannot be read is a media URL that is no URL
		const broken: Record<string, string> = unreadable ? { NumMedia: '1', MediaUrl0: 'https://[not a host/Media/ME1', MediaContentType0: 'image/png' } : {};
		const media = file ? [{ bytes: file.bytes, contentType: 'application/pdf' }] : undefined;
		const result = await tw.sendInbound(hook.url, { MessageSid, Body: `hi ${key}`, ...broken }, { media, forgeSignature: signature === 'forged', omitSignature: signature === 'missing' });
		return result.status;
	},
	// a JSON body (no form: nothing to verify a signature over), a signed form that is no message (no MessageSid)
	malformed: async (tw, hook) => [
		(await hook.request({ headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature(tw.authToken, hook.url, {}) }, body: JSON.stringify({ MessageSid: `SM${'0'.repeat(32)}` }) })).response.status,
		(await hook.request(twilioRequest(tw.authToken, hook.url, { AccountSid: tw.accountSid, From: 'whatsapp:+4915112345678', Body: 'no id' }))).response.status,
	],
	malformedStatuses: [403, 403],
	// a status callback (the trigger takes messages only unless asked)
	unknown: async (tw, hook, key) => (await tw.sendStatus(hook.url, { MessageSid: `SM${String(key).padStart(32, 'f')}`, MessageStatus: 'delivered' })).status,
	unreadableNotice: /^Not downloaded: the media URL is not a valid URL/,
});
