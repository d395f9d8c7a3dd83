/**
 * The channel registry: every channel's adapter behind one interface (./types.ts). Both Chat
 * Channel nodes are built from it: the Channel options, the credentials, each channel's fields,
 * the operations each channel offers, subtitles and webhook methods. A new channel is one folder
 * and one line in `adapters` (README, "Adding a channel").
 */
import type {
	DisplayCondition,
	INodeCredentialDescription,
	IWebhookDescription,
	INodeProperties,
	INodePropertyOptions,
	NodeParameterValue,
} from 'n8n-workflow';

import { optionName } from '../shared/subtitle';
import type { WebhookField } from '../shared/webhookFields';
import { webhookFields } from '../shared/webhookFields';

import { instagram } from './instagram';
import { messenger } from './messenger';
import { telegram } from './telegram';
import { viber } from './viber';
import { vk } from './vk';
import { website } from './website';
import { whatsapp } from './whatsapp';
import { whatsappcloud } from './whatsappcloud';
import type { ChannelAdapter, ChannelName, TriggerEndpoint } from './types';

export const adapters: Record<ChannelName, ChannelAdapter> = {
	telegram,
	whatsapp,
	messenger,
	instagram,
	website,
	whatsappcloud,
	vk,
	viber,
};

/** The Channel parameter's options, from the registry, sorted by name. */
export const CHANNEL_OPTIONS: INodePropertyOptions[] = Object.values(adapters)
	.map((adapter) => ({
		name: adapter.displayName,
		value: adapter.name,
		description: adapter.description,
	}))
	.sort((a, b) => a.name.localeCompare(b.name));

/** The channels' own node fields, each shown only for its channel. */
export const sendProperties = () =>
	Object.values(adapters).flatMap((adapter) => adapter.sendProperties ?? []);
export const triggerChannelProperties = () =>
	Object.values(adapters).flatMap((adapter) => adapter.triggerProperties ?? []);
/**
 * One credential entry per channel, shown only for it. The rule is written as a condition
 * (`{ _cnd: { eq } }`) rather than a plain value on purpose: n8n's editor takes a parameter whose
 * every value picks a credential for the node's "authentication" selector, hides it from the
 * parameters and offers it only inside the credential box. The Channel must stay a visible,
 * first parameter; n8n-workflow evaluates the condition exactly like the plain value.
 */
export const channelCredentials = (): INodeCredentialDescription[] =>
	Object.values(adapters).map((adapter) => ({
		name: adapter.credentialType,
		required: true,
		displayOptions: { show: { channel: [isChannel(adapter.name)] } },
	}));

/**
 * `{ _cnd: { eq } }`: n8n-workflow's display condition, which `NodeHelpers.displayParameter`
 * evaluates for credentials as for parameters (editor and execution alike); n8n-workflow's
 * ICredentialsDisplayOptions type only lists plain values, hence the one cast.
 */
function isChannel(name: ChannelName): NodeParameterValue {
	const condition: DisplayCondition = { _cnd: { eq: name } };
	return condition as unknown as NodeParameterValue;
}

/** The Channel parameter, the first of both Chat Channel nodes. */
export const channelProperty: INodeProperties = {
	displayName: 'Channel',
	name: 'channel',
	type: 'options',
	noDataExpression: true,
	options: CHANNEL_OPTIONS,
	default: 'telegram',
	description: 'The messenger your customers write to',
};

/**
 * Where n8n's node panel (NDV) shows the credential box: right after Channel in both Chat Channel
 * nodes (the credential depends on it). Without it n8n puts the box before the last parameter
 * the credentials' display rules name: above Channel in the trigger, below it in the action node.
 */
export const credentialsBox: INodeProperties = {
	displayName: 'Credential',
	name: 'credential',
	type: 'credentials',
	default: '',
};

/**
 * The Chat Channel Trigger's entries in n8n's node panel: one per channel ("On a new Telegram
 * message"), each adding the trigger with that channel chosen. n8n lists a trigger's events from
 * the options (and their `action`) of its first parameter named "Events" or "Trigger On", and sets
 * that parameter when one is picked (editor-ui useActionsGeneration.ts, `triggersCategory`): this
 * one is the Channel itself. It is never shown in the node's own panel, where the Channel
 * parameter above is the one to change: its rule hides it for every node version.
 */
export const channelEvents: INodeProperties = {
	displayName: 'Events',
	name: 'channel',
	type: 'options',
	noDataExpression: true,
	options: CHANNEL_OPTIONS.map((option) => ({
		...option,
		action: `On a new ${option.name} message`,
	})),
	default: 'telegram',
	displayOptions: { hide: { '@version': [{ _cnd: { gte: 0 } }] } },
	description: 'The messenger your customers write to',
};

/** "Telegram", "WhatsApp (Twilio)", … as an expression fragment for subtitles. */
export const channelNameExpression = () => optionName('channel', CHANNEL_OPTIONS);

/**
 * The main webhook's method: POST; none in long-polling mode, nor for a channel that receives
 * through its own endpoints (n8n then registers no webhook).
 */
export function receiveMethod(): WebhookField {
	const channels: unknown[] = endpointChannels();
	const own = `${JSON.stringify(channels)}.includes($parameter["channel"])`;
	return {
		template: `={{ $parameter["mode"] === "polling" || ${own} ? "" : "POST" }}`,
		resolve: (parameters) =>
			parameters.mode === 'polling' || channels.includes(parameters.channel) ? '' : 'POST',
	};
}

/**
 * The channels' endpoints as webhooks of the trigger: each listens (its method) only when its
 * channel is chosen, at `<webhookId>/<path>`, and is answered by its `handle` (`endpointOf`).
 */
export function endpointWebhooks(): IWebhookDescription[] {
	return Object.values(adapters).flatMap((adapter) =>
		(adapter.trigger.endpoints ?? []).map((endpoint) => ({
			name: endpoint.name as IWebhookDescription['name'],
			// the node panel's "Webhook URLs" lists it only for its channel
			...webhookFields({
				httpMethod: onlyFor(adapter.name, endpoint.httpMethod),
				ndvHideUrl: hiddenUnless([adapter.name], false),
			}),
			responseMode: 'onReceived',
			path: endpoint.path,
		})),
	);
}

function onlyFor(channel: ChannelName, method: string): WebhookField {
	return {
		template: `={{ $parameter["channel"] === ${JSON.stringify(channel)} ? "${method}" : "" }}`,
		resolve: (parameters) => (parameters.channel === channel ? method : ''),
	};
}

/** For the delivery webhook: hidden in the node panel for channels that receive through endpoints. */
export const deliveryUrlHidden = (): WebhookField => hiddenUnless(endpointChannels(), true);

/** A URL hidden for the channels listed (`listed`: true), or for all others (false). */
function hiddenUnless(channels: ChannelName[], listed: boolean): WebhookField {
	const names: unknown[] = channels;
	const check = `${JSON.stringify(channels)}.includes($parameter["channel"])`;
	return {
		template: `={{ ${listed ? '' : '!'}${check} }}`,
		resolve: (parameters) => names.includes(parameters.channel) === listed,
	};
}

/** Channels that receive through their own endpoints, answered when received (no Acknowledge). */
export const endpointChannels = (): ChannelName[] =>
	Object.values(adapters)
		.filter((adapter) => adapter.trigger.endpoints?.length)
		.map((adapter) => adapter.name);

/** The endpoint of the chosen channel that a request came in on (by the webhook's name). */
export function endpointOf(
	adapter: ChannelAdapter,
	webhookName: string,
): TriggerEndpoint | undefined {
	return adapter.trigger.endpoints?.find((endpoint) => endpoint.name === webhookName);
}

/** The setup webhook's method: GET for channels that verify the URL with a handshake, else none. */
export function handshakeMethod(): WebhookField {
	const channels: unknown[] = Object.values(adapters)
		.filter((adapter) => adapter.trigger.receive.handshake)
		.map((adapter) => adapter.name);
	return {
		template: `={{ ${JSON.stringify(channels)}.includes($parameter["channel"]) ? "GET" : "" }}`,
		resolve: (parameters) => (channels.includes(parameters.channel) ? 'GET' : ''),
	};
}

/**
 * The trigger's canvas subtitle: the channel's name, and for a channel that can poll, how it
 * receives ("Telegram · long polling" / "Telegram · webhook").
 */
export function triggerSubtitle(): string {
	const polling = Object.values(adapters)
		.filter((adapter) => adapter.trigger.poll)
		.map((adapter) => adapter.name);
	const polls = `${JSON.stringify(polling)}.includes($parameter["channel"])`;
	const how = `($parameter["mode"] === "webhook" ? " · webhook" : " · long polling")`;
	const mode = `(${polls} ? ${how} : "")`;
	return `={{ ${channelNameExpression()} + ${mode} }}`;
}

export function adapterFor(channel: string): ChannelAdapter | undefined {
	return (adapters as Record<string, ChannelAdapter | undefined>)[channel];
}

export * from './types';
