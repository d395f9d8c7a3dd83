/**
 * The Chat Channel Trigger of a Messenger Platform channel (Messenger, Instagram Direct): Meta's
 * GET handshake and signed POST deliveries (./webhook.ts) of one webhook `object`, flattened into
 * one item per `entry[].messaging[]` event. Optionally subscribes the Page to the app on
 * activation. A channel supplies only what differs: its object, its account field, its events.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { FileSource } from '../attachments';
import { downloadBudget } from '../attachments';
import type { MediaSources } from '../mediaSources';
import { mediaUrlRefusal } from '../mediaSources';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { ChannelMessage, TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { GraphApi } from './graph';
import { graphApiRequest, metaCredentialsOf } from './graph';
import { openMediaUrl } from './media';
import type { SenderProfile } from './profiles';
import { relayedLinkOf, relayTap } from './relay';
import { answerHandshake, answerPlain, signedDelivery } from './webhook';

/** The options collection every Messenger Platform trigger has. */
interface TriggerOptions {
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	includeEchoes?: boolean;
	subscribePage?: boolean;
	lookUpNames?: boolean;
}

/** What one Messenger Platform channel's trigger is made of. */
export interface MessengerPlatformTrigger<E extends IDataObject> {
	/** The channel key: `messenger`. */
	channel: string;
	/** The trigger in log lines and refusals: "Chat Channel Trigger (Messenger)". */
	label: string;
	api: GraphApi;
	/** The webhook `object` of the deliveries (`page`, `instagram`) and the refusal of others. */
	object: string;
	notOurs: string;
	/** The credential field naming the account events arrive for (`pageId`, `instagramAccountId`). */
	accountField: string;
	/** The node parameters: "Trigger On" with its default, and the options collection. */
	eventsParameter: string;
	defaultEvents: string[];
	optionsParameter: string;
	/** The "Trigger On" value of each event kind (unlisted kinds: `other`). */
	eventOption: Record<string, string>;
	/** Why an echo starts nothing: "an echo of the page". */
	echoReason: string;
	/** The Page fields "Subscribe Page" subscribes to. */
	subscribedFields: string[];
	mediaSources: MediaSources;
	eventsOf: (body: IDataObject) => Array<{ account: string; event: E }>;
	kindOf: (event: E) => string;
	normalize: (account: string, event: E) => ChannelMessage;
	/** The profile lookups of one delivery's senders (./profiles.ts `senderNameLookups`). */
	profiles: (
		ctx: IWebhookFunctions,
		account: string,
	) => {
		profile: (id: string) => Promise<SenderProfile>;
		request: (id: string) => Promise<string>;
	};
}

interface Delivery {
	body: IDataObject;
	account: string;
	apiUrl: string;
}

interface AccountEvent<E> {
	account: string;
	event: E;
}

/** The trigger adapter of a Messenger Platform channel. */
export function messengerPlatformTrigger<E extends IDataObject>(
	platform: MessengerPlatformTrigger<E>,
): TriggerAdapter {
	const { label, api } = platform;

	const optionsOf = (ctx: { getNodeParameter: IWebhookFunctions['getNodeParameter'] }) =>
		ctx.getNodeParameter(platform.optionsParameter, {}) as TriggerOptions;

	const credentialsOf = async (ctx: Parameters<typeof metaCredentialsOf>[0]) => {
		const credentials = await metaCredentialsOf(ctx, api);
		return {
			...credentials,
			pageId: credentials.fields.pageId ?? '',
			account: credentials.fields[platform.accountField] ?? '',
		};
	};

	/** Where attachments come from: Meta's CDN links, fetched without credentials. */
	function files(
		ctx: IWebhookFunctions,
		options: TriggerOptions,
		apiUrl: string,
	): FileSource | undefined {
		if (!(options.download ?? true)) return undefined;
		return {
			capMb: Number(options.maxDownloadMb ?? 25),
			budget: () => downloadBudget(options),
			isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
			refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, platform.mediaSources, apiUrl),
			open: async (attachment) => await openMediaUrl(ctx, attachment.fileId!),
		};
	}

	/** Why an event starts nothing ("Trigger On", "Include Echoes"), or undefined. */
	function filterReason(event: E, wanted: string[], options: TriggerOptions): string | undefined {
		const kind = platform.kindOf(event);
		// a Send and Wait answer is relayed whatever the trigger starts on
		if (relayedLinkOf(event) !== undefined) return undefined;
		if (!wanted.includes(platform.eventOption[kind] ?? 'other')) return `${kind} not selected`;
		if (kind === 'echo' && !options.includeEchoes) return platform.echoReason;
		return undefined;
	}

	/** How a delivery's events are read; the sender's profile arrives while the rest is read. */
	function reader(ctx: IWebhookFunctions, delivery: Delivery): EventReader<AccountEvent<E>> {
		const options = optionsOf(ctx);
		const wanted = ctx.getNodeParameter(platform.eventsParameter, [
			...platform.defaultEvents,
		]) as string[];
		const accountOf = (entry: AccountEvent<E>) => entry.account || delivery.account;
		const profiles =
			(options.lookUpNames ?? true) ? platform.profiles(ctx, delivery.account) : undefined;
		return {
			filter: ({ event }) => filterReason(event, wanted, options),
			normalize: (entry) => platform.normalize(accountOf(entry), entry.event),
			unreadable(entry, error) {
				const { event } = entry;
				const sender = (event?.sender ?? {}) as IDataObject;
				const message = unreadableEvent(platform.channel, accountOf(entry), event, error, {
					messageId: ((event?.message ?? {}) as IDataObject).mid,
					conversationId: sender.id,
					senderId: sender.id,
				});
				message.account = accountOf(entry);
				return message;
			},
			enrich(message) {
				// each sender asked once, whatever the number of its events
				const sender = message.sender;
				if (!profiles || !sender.id || sender.isBot) return undefined;
				return profiles.profile(sender.id).then((profile) => {
					sender.name = profile.name;
					if (profile.username) sender.username = profile.username;
				});
			},
			files: files(ctx, options, delivery.apiUrl),
			relay: async (message) =>
				await relayTap(ctx, api, label, message, async () =>
					profiles && message.sender.id ? await profiles.request(message.sender.id) : undefined,
				),
		};
	}

	/** Meta's side of the pipeline: X-Hub-Signature-256 over the raw bytes, EVENT_RECEIVED as the answer. */
	const receive: ReceiveAdapter<Delivery, AccountEvent<E>> = {
		label,
		async handshake(ctx) {
			const { verifyToken } = await credentialsOf(ctx);
			return answerHandshake(ctx, verifyToken, label);
		},
		async verify(ctx) {
			const { appSecret, account, apiUrl } = await credentialsOf(ctx);
			const body = await signedDelivery(ctx, appSecret);
			return body instanceof Refusal ? body : { body, account, apiUrl };
		},
		events({ body }) {
			if (
				!body ||
				typeof body !== 'object' ||
				body.object !== platform.object ||
				!Array.isArray(body.entry)
			)
				return new Refusal(400, platform.notOurs);
			return platform.eventsOf(body);
		},
		reader: async (ctx, delivery) => reader(ctx, delivery),
		answer: (ctx, reply) => void answerPlain(ctx, reply.status, reply.text ?? 'EVENT_RECEIVED'),
		answersItself: true,
	};

	const subscribedApps = (pageId: string) => `/${encodeURIComponent(pageId)}/subscribed_apps`;

	return {
		async checkExists(ctx) {
			if (!optionsOf(ctx).subscribePage) return true;
			const { pageId } = await credentialsOf(ctx);
			const apps = await graphApiRequest<{ data?: Array<{ subscribed_fields?: string[] }> }>(
				ctx,
				api,
				{
					method: 'GET',
					path: subscribedApps(pageId),
					idempotent: true,
					what: 'read page subscriptions',
				},
			);
			return (apps.data ?? []).some((app) =>
				platform.subscribedFields.every((field) => app.subscribed_fields?.includes(field)),
			);
		},

		async create(ctx) {
			if (!optionsOf(ctx).subscribePage) return true;
			const { pageId } = await credentialsOf(ctx);
			await graphApiRequest(ctx, api, {
				method: 'POST',
				path: subscribedApps(pageId),
				qs: { subscribed_fields: platform.subscribedFields.join(',') },
				idempotent: true,
				what: 'subscribe the page',
			});
			return true;
		},

		// The subscription stays: other workflows (or this one's production URL) may rely on it.
		async delete() {
			return true;
		},

		receive,
	};
}
