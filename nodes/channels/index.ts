/**
 * The channel registry: every channel's adapter behind one interface (./types.ts). Twilio
 * WhatsApp and Facebook Messenger add their folder and one line each here and in CHANNEL_OPTIONS.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { messenger } from './messenger';
import { telegram } from './telegram';
import { whatsapp } from './twilio';
import type { ChannelAdapter, ChannelName } from './types';

export const adapters: Record<ChannelName, ChannelAdapter> = { telegram, whatsapp, messenger };

export const CHANNEL_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Facebook Messenger', value: 'messenger', description: 'A Facebook Page through a Meta app (Graph API)' },
	{ name: 'Telegram', value: 'telegram', description: 'A Telegram bot (Bot API)' },
	{ name: 'WhatsApp (Twilio)', value: 'whatsapp', description: 'A WhatsApp sender on Twilio' },
];

/** The channels' own node fields, each shown only for its channel. */
export const sendProperties = () => Object.values(adapters).flatMap((adapter) => adapter.sendProperties ?? []);
export const triggerChannelProperties = () => Object.values(adapters).flatMap((adapter) => adapter.triggerProperties ?? []);
/** One credential entry per channel, shown only for it. */
export const channelCredentials = () =>
	Object.values(adapters).map((adapter) => ({
		name: adapter.credentialType,
		required: true,
		displayOptions: { show: { channel: [adapter.name] } },
	}));

export function adapterFor(channel: string): ChannelAdapter | undefined {
	return (adapters as Record<string, ChannelAdapter | undefined>)[channel];
}

export * from './types';
