/**
 * VK in the Chat Channel Trigger: what is VK's own in receiving. Two modes, one pipeline
 * (../receive.ts): the Bots Long Poll API (./polling.ts, the default: no public URL needed) and
 * the Callback API (mode Webhook): VK confirms the URL with a `confirmation` event answered with
 * the credential's confirmation string, then POSTs each event with the community's `secret`,
 * answered `ok` at once (anything else and VK sends the event again; several in a row and it stops
 * sending): the Callback API with Acknowledge *After the Workflow Has Run* is refused at activation.
 */
import type {
	IDataObject,
	IHookFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { acknowledgesAfterRun } from '../../shared/acknowledge';
import type { BinaryStream } from '../../shared/binary';
import { TIMEOUTS, sendRequest } from '../../shared/http';
import { headerValue, safeEqual } from '../../shared/signature';
import type { FileSource, OpenedDownload } from '../attachments';
import { downloadBudget } from '../attachments';
import { mediaUrlRefusal } from '../mediaSources';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { VkEvent } from './normalize';
import { eventIdOf, messageOf, normalize, VK_EVENT_TYPES, VK_MEDIA_SOURCES } from './normalize';
import { startPolling } from './polling';
import { senderNameLookups } from './profiles';
import { credentialsOf } from './transport';
import type { VkTriggerContext, VkTriggerOptions } from './triggerProperties';
import { eventTypes, optionsOf } from './triggerProperties';

const LABEL = 'Chat Channel Trigger (VK)';

/** Opens a file VK hosts (a photo size's URL, a document's URL that redirects to its file). */
async function openFile(
	ctx: VkTriggerContext,
	url: string,
	apiUrl: string,
	signal?: AbortSignal,
): Promise<OpenedDownload> {
	// anonymous: VK's media links carry their own signature; a hop is followed only to VK's hosts
	const response = await sendRequest(ctx, {
		options: { method: 'GET', url, encoding: 'stream' },
		timeoutMs: TIMEOUTS.transfer,
		abortSignal: signal,
		redirects: 'download',
		allowRedirectTo: (target) => mediaUrlRefusal(target, VK_MEDIA_SOURCES, apiUrl) === undefined,
		retry: { retryServerErrors: true, maxAttempts: 3, abortSignal: signal },
	});
	if (response.networkError !== undefined) throw response.networkError;
	const stream = response.body as BinaryStream & { destroy?: () => void };
	if (response.refusedRedirect !== undefined) {
		stream?.destroy?.();
		throw new Error(`redirected to ${response.refusedRedirect}, which is not one of VK's hosts`);
	}
	if (response.statusCode < 200 || response.statusCode >= 300) {
		stream?.destroy?.();
		throw new Error(`HTTP ${response.statusCode}`);
	}
	const length = Number(headerValue(response.headers, 'content-length') ?? NaN);
	return {
		stream,
		size: Number.isFinite(length) ? length : undefined,
		contentType: headerValue(response.headers, 'content-type')?.split(';')[0].trim() || undefined,
	};
}

/** Where VK attachments come from: VK's media hosts (or the API Base URL's), fetched anonymously. */
function vkFiles(
	ctx: VkTriggerContext,
	options: VkTriggerOptions,
	apiUrl: string,
): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 50),
		budget: () => downloadBudget(options),
		isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
		refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, VK_MEDIA_SOURCES, apiUrl),
		open: async (attachment, signal) => await openFile(ctx, attachment.fileId!, apiUrl, signal),
	};
}

/** Why an event starts nothing ("Trigger On", the community's own messages), or undefined. */
function filterReason(event: VkEvent, wanted: string[]): string | undefined {
	const type = String(event?.type ?? 'unknown');
	if (!(VK_EVENT_TYPES as readonly string[]).includes(type) || !wanted.includes(type))
		return `event ${type} not selected`;
	const from = Number(messageOf(event)?.from_id ?? 0);
	// a community's own message (message_edit of its answer, another community)
	if (from < 0) return 'sent by a community';
	return undefined;
}

/** How one community's events are read (Callback deliveries and long-poll batches alike). */
function vkReader(
	ctx: VkTriggerContext,
	community: { groupId: string; apiUrl: string },
): EventReader<VkEvent> {
	const options = optionsOf(ctx);
	const wanted = eventTypes(ctx);
	const { groupId } = community;
	const names = (options.lookUpNames ?? true) ? senderNameLookups(ctx, groupId) : undefined;
	return {
		filter: (event) => filterReason(event, wanted),
		normalize: (event) => normalize(event, groupId),
		unreadable(event, error) {
			const message = messageOf(event);
			const object = (event?.object ?? {}) as IDataObject;
			const read = unreadableEvent('vk', groupId, event, error, {
				messageId: message?.id,
				conversationId: message?.peer_id ?? object.peer_id,
				senderId: message?.from_id ?? object.user_id,
			});
			read.eventId = eventIdOf(event, groupId);
			read.account = groupId;
			return read;
		},
		enrich(message) {
			const sender = message.sender;
			if (!names || !sender.id || sender.isBot) return undefined;
			return names.request(sender.id).then((name) => void (sender.name = name));
		},
		files: vkFiles(ctx, options, community.apiUrl),
	};
}

/** A verified Callback API request: its event and the credential's community. */
interface VkDelivery {
	event: VkEvent;
	groupId: string;
	apiUrl: string;
	confirmation: string;
}

function text(ctx: IWebhookFunctions, status: number, body: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/plain; charset=utf-8');
	res.end(body);
	return { noWebhookResponse: true };
}

/** Requests that are VK's URL confirmation: the string to answer with (kept for `answer`). */
const confirmations = new WeakMap<object, string>();

/**
 * The Callback API's side of the pipeline: the body's `secret` (compared in constant time) and
 * `group_id`; the `confirmation` event answered with the confirmation string (it starts nothing),
 * every other answer `ok`.
 */
const vkReceive: ReceiveAdapter<VkDelivery, VkEvent> = {
	label: LABEL,
	async verify(ctx) {
		const body = ctx.getBodyData() as IDataObject;
		if (!body || typeof body !== 'object' || typeof body.type !== 'string')
			return new Refusal(400, 'Bad Request: not a VK Callback API event');
		const { groupId, secretKey, confirmation, apiUrl } = await credentialsOf(ctx);
		if (String(body.group_id ?? '') !== groupId)
			return new Refusal(
				403,
				'Forbidden: another community',
				'an event of another community refused',
			);
		const isConfirmation = body.type === 'confirmation';
		// every event carries the secret; the confirmation may come without it
		const secretOk =
			isConfirmation && body.secret === undefined
				? true
				: Boolean(secretKey) && safeEqual(secretKey, body.secret);
		if (!secretOk)
			return new Refusal(
				403,
				'Forbidden: wrong secret',
				secretKey
					? 'an event with a missing or wrong secret refused'
					: 'an event refused: the VK credential has no Secret Key (needed for the Callback API)',
			);
		if (isConfirmation) {
			if (!confirmation)
				return new Refusal(
					403,
					'Forbidden: no confirmation string',
					'VK asked to confirm this URL, but the VK credential has no Confirmation String',
				);
			confirmations.set(ctx.getRequestObject(), confirmation);
			ctx.logger.info(`${LABEL}: VK confirmed this URL for community ${groupId}`);
		}
		return { event: body as VkEvent, groupId, apiUrl, confirmation };
	},
	// the confirmation starts nothing: its answer is the confirmation string (`answer`)
	events: ({ event }) => (event.type === 'confirmation' ? [] : [event]),
	reader: async (ctx, delivery) => vkReader(ctx, delivery),
	answer(ctx, reply) {
		if (reply.status !== 200) return void text(ctx, reply.status, reply.text ?? 'error');
		text(ctx, 200, confirmations.get(ctx.getRequestObject()) ?? 'ok');
	},
	// VK reads the body: `ok` (or the confirmation string), written by the adapter itself
	answersItself: true,
};

/**
 * VK's Callback API must be answered `ok` at once: after the run n8n answers with an empty body,
 * and after several answers in a row that are not `ok` VK stops sending events to the server. So
 * *After the Workflow Has Run* cannot be kept here: the activation is refused with what to choose
 * instead (Long Polling keeps that promise: `ts` moves on only after the run succeeded).
 */
function refuseAfterRun(ctx: IHookFunctions): true {
	if (ctx.getNodeParameter('mode', 'polling') === 'polling' || !acknowledgesAfterRun(ctx))
		return true;
	throw new NodeOperationError(
		ctx.getNode(),
		'VK\'s Callback API cannot wait for the workflow: choose Mode "Long Polling", or Acknowledge "When Received"',
		{
			description:
				'VK needs the answer "ok" to each event at once; n8n answers after the run without ' +
				'it, and after several such answers in a row VK stops sending events. With Long ' +
				'Polling, "After the Workflow Has Run" is kept: the next events are asked for only ' +
				'after the run succeeded.',
		},
	);
}

export const vkTrigger: TriggerAdapter = {
	async poll(ctx) {
		if (ctx.getNodeParameter('mode', 'polling') !== 'polling') return {};
		return await startPolling(ctx, vkReader);
	},
	// The Callback API server is set in VK's community settings (with its confirmation): nothing
	// to register or remove here. n8n asks checkExists on every activation (create only when it
	// said false): the combination VK cannot take is refused there.
	checkExists: async (ctx) => refuseAfterRun(ctx),
	create: async (ctx) => refuseAfterRun(ctx),
	delete: async () => true,
	receive: vkReceive,
};
