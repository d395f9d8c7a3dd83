/** How Telegram conversations meet TeamSpirit (nodes/conversations/): formatting, files, bot id. */
import type { IDataObject } from 'n8n-workflow';

import { markdownToTelegramHtml, telegramToMarkdown } from './format';
import type { TelegramEntity } from './format';
import type { ChannelMessage, ConversationNote, ConversationRules } from '../types';
import { messageOf } from './normalize';
import type { TgUpdate } from './normalize';
import { credentialsOf } from './transport';

function mapLink(lat: number, lon: number): string {
	return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

function messageIn(message: ChannelMessage): IDataObject | undefined {
	return messageOf(message.raw as TgUpdate) as IDataObject | undefined;
}

export const telegramConversation: ConversationRules = {
	toMarkdown(message) {
		const raw = messageIn(message);
		const entities = (raw?.entities ?? raw?.caption_entities) as TelegramEntity[] | undefined;
		return telegramToMarkdown(message.text ?? '', Array.isArray(entities) ? entities : [], {
			quietMentions: true,
		});
	},
	describe(message) {
		const raw = messageIn(message);
		if (!raw) return [];
		const notes: ConversationNote[] = [];
		const venue = raw.venue as { title?: string; address?: string } | undefined;
		const location = raw.location as { latitude?: number; longitude?: number } | undefined;
		if (
			location &&
			typeof location.latitude === 'number' &&
			typeof location.longitude === 'number'
		) {
			const link = mapLink(location.latitude, location.longitude);
			const values = venue?.title ? [venue.title, venue.address ?? ''] : [];
			notes.push({ label: values.length ? '📍' : '📍 Location', values, link });
		}
		const contact = raw.contact as
			{ first_name?: string; last_name?: string; phone_number?: string } | undefined;
		if (contact) {
			const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
			notes.push({ label: '👤 Contact:', values: [name, contact.phone_number ?? ''] });
		}
		const sticker = raw.sticker as { emoji?: string } | undefined;
		if (sticker?.emoji) notes.push({ label: 'Sticker', values: [sticker.emoji] });
		return notes;
	},
	fromMarkdown: (markdown) => ({ text: markdownToTelegramHtml(markdown), format: 'html' }),
	files: 'upload',
	account: async (ctx, itemIndex) => (await credentialsOf(ctx, itemIndex)).botId,
	keyPart: (conversationId) => conversationId,
	// groups, supergroups and channels: several people in one chat
	groups: true,
};
