/** The conformance kit of WhatsApp (Cloud API): test/emulators/whatsappcloud.ts; JSON signed with X-Hub-Signature-256. */
import { TeamSpiritWhatsAppCloudApi } from '../../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { WhatsAppCloudEmulator } from '../../emulators/whatsappcloud';

import { kit as channelKit, uploaded } from './kit';

const CUSTOMERS = ['4915112345678', '4915112345679', '4915112345670'];

/** When the kit's customers wrote: one time for the whole run, so a delivery sent again is the same. */
const SENT_FROM = Date.now() - (Date.now() % 1000);

export const kit = channelKit<WhatsAppCloudEmulator>({
	name: 'whatsappcloud',
	emulator: WhatsAppCloudEmulator,
	credentialType: new TeamSpiritWhatsAppCloudApi(),
	credentials: (wa) => wa.credentialData(),
	fixture: 'whatsappcloud.message.send',
	conversations: (wa) => {
		for (const waId of CUSTOMERS) wa.touch(waId);
		return CUSTOMERS;
	},
	sent: (wa, waId) => wa.messagesTo(waId).map((m) => ({ id: m.id, text: m.text ?? '' })),
	files: (wa, waId) =>
		wa
			.messagesTo(waId)
			.filter((m) => m.upload || m.link)
			.map((m) => (m.upload ? uploaded({ filename: m.upload.filename, size: m.upload.size, sha256: m.upload.sha256 }) : { url: m.link! })),
	sendStatuses: (wa) => wa.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).map((r) => r.status),
	inject429: (wa) => wa.failNext({ status: 429, method: 'POST', path: /\/messages$/ }),
	triggerParameters: {},
	downloadOptions: (options) => ({ whatsappcloudOptions: options }),
	deliver: async (wa, hook, { key, signature, file, unreadable }) => {
		const id = `wamid.conformance${key}`;
		// the same delivery is the same bytes (Meta redelivers a notification as it was): its time too
		const timestamp = SENT_FROM + key * 1000;
		const value = unreadable
			? // a location WhatsApp never sends (no coordinates): no item can be made of it
				wa.messageValue(CUSTOMERS[0], { id, timestamp, type: 'location', content: { latitude: 'north', longitude: 'east' } })
			: file
				? wa.messageValue(CUSTOMERS[0], { id, timestamp, media: { type: 'document', bytes: file.bytes, mimeType: 'application/pdf', filename: file.name, caption: `hi ${key}` } })
				: wa.messageValue(CUSTOMERS[0], { id, timestamp, text: `hi ${key}`, name: 'Ada' });
		const result = await wa.deliver(hook.url, [value], { forgeSignature: signature === 'forged', omitSignature: signature === 'missing' });
		return result.status;
	},
	// bytes that are no JSON (n8n's body parser answers before the node), JSON that is no WhatsApp notification
	malformed: async (wa, hook) => [
		(await wa.deliver(hook.url, [], { rawBody: '{"object":' })).status,
		(await wa.deliver(hook.url, [wa.messageValue(CUSTOMERS[0], { text: 'x' })], { object: 'page' })).status,
	],
	malformedStatuses: [422, 400],
	// a status of a sent message (the trigger takes messages only unless asked)
	unknown: async (wa, hook, key) =>
		(await wa.deliver(hook.url, [wa.statusValue([wa.status(`wamid.sent${key}`, 'delivered', CUSTOMERS[0])])])).status,
	unreadableNotice: /^This event could not be read/,
});
