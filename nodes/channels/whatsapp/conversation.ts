/** How WhatsApp (Twilio) conversations meet TeamSpirit (nodes/conversations/). */
import { markdownToWhatsApp, whatsappToMarkdown } from './format';
import type { ConversationRules } from '../types';

function field(raw: Record<string, unknown>, name: string): string | undefined {
	const value = raw[name];
	const one = Array.isArray(value) ? value[0] : value;
	return typeof one === 'string' && one.trim() ? one.trim() : undefined;
}

export const whatsappConversation: ConversationRules = {
	toMarkdown: (message) => whatsappToMarkdown(message.text ?? '', { quietMentions: true }),
	describe(message) {
		const raw = message.raw as Record<string, unknown>;
		const lat = field(raw, 'Latitude');
		const lon = field(raw, 'Longitude');
		if (!lat || !lon || !/^-?\d+(\.\d+)?$/.test(lat) || !/^-?\d+(\.\d+)?$/.test(lon)) return [];
		const values = [field(raw, 'Label'), field(raw, 'Address')].filter(
			(value): value is string => !!value,
		);
		const link = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
		return [{ label: values.length ? '📍' : '📍 Location', values, link }];
	},
	fromMarkdown: (markdown) => ({ text: markdownToWhatsApp(markdown), format: 'plain' }),
	// Twilio fetches media itself from a public URL: a short-lived TeamSpirit file link.
	files: 'link',
	// One Twilio account serves many numbers: a reply goes out from the number the customer wrote to.
	account: async () => undefined,
	keyPart: (conversationId) => conversationId.replace(/^whatsapp:/, ''),
	// WhatsApp through Twilio: one customer per conversation
	groups: false,
};
