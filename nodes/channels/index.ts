/**
 * The channel registry: every channel's adapter behind one interface (./types.ts). Twilio
 * WhatsApp and Facebook Messenger add their folder and one line each here and in CHANNEL_OPTIONS.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { telegram } from './telegram';
import type { ChannelAdapter, ChannelName } from './types';

export const adapters: Record<ChannelName, ChannelAdapter> = { telegram };

export const CHANNEL_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Telegram', value: 'telegram', description: 'A Telegram bot (Bot API)' },
];

export function adapterFor(channel: string): ChannelAdapter | undefined {
	return (adapters as Record<string, ChannelAdapter | undefined>)[channel];
}

export * from './types';
