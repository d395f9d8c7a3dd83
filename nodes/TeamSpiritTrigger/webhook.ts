/**
 * One delivery from TeamSpirit: verify, drop repeats, filter, and start the workflow with one item.
 * Every answer is written here, in one line of JSON, before the workflow starts; with "Acknowledge:
 * After the Workflow Has Run" n8n answers a delivery that starts the workflow when the run ended.
 */
import { createHash } from 'crypto';
import type {
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { acknowledgesAfterRun, claimWhenConfirmed, handledBefore } from '../shared/acknowledge';
import { monotonicNow } from '../shared/clock';
import { handledDeliveries } from '../shared/dedupe';
import type { BinaryStream } from '../shared/binary';
import { segment } from '../shared/teamspirit/utils';
import {
	conversationSecretOf,
	CREDENTIAL_TYPE,
	normalizeServerUrl,
	teamSpiritApiRequest,
} from '../shared/teamspirit/transport';
import { withItemIndex } from '../shared/errors';
import { readSettings, type TriggerSettings } from './description';
import { checkDelivery, type Delivery } from './helpers/delivery';
import { isMessageEvent, needsBotIdentity, whyIgnored, type BotIdentity } from './helpers/filters';
import { toOutputItems } from './helpers/output';
import { registeredSecrets } from './registration';

function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(body);
	return { noWebhookResponse: true };
}

/** The bot behind the credential (GET /me), remembered for 10 minutes per server and key. */
const bots = new Map<string, { bot: BotIdentity; at: number }>();
const BOT_TTL_MS = 10 * 60 * 1000;

async function botIdentity(ctx: IWebhookFunctions): Promise<BotIdentity> {
	const credentials = await ctx.getCredentials<{ serverUrl?: string; apiKey?: string }>(
		CREDENTIAL_TYPE,
	);
	const key = createHash('sha256')
		.update(`${normalizeServerUrl(credentials.serverUrl)}\n${String(credentials.apiKey ?? '')}`)
		.digest('hex');
	const cached = bots.get(key);
	if (cached && monotonicNow() - cached.at < BOT_TTL_MS) return cached.bot;
	const me = await teamSpiritApiRequest.call(ctx, { method: 'GET', path: '/me' });
	const bot = { id: String(me.id ?? ''), username: String(me.username ?? '') };
	if (bots.size >= 100) bots.clear();
	bots.set(key, { bot, at: monotonicNow() });
	return bot;
}

/** The files of a created or edited message as binary fields `file_0`, `file_1`, … (by position in `files`). */
async function downloadFiles(
	ctx: IWebhookFunctions,
	delivery: Delivery,
	settings: TriggerSettings,
	json: IDataObject,
): Promise<INodeExecutionData['binary']> {
	if (
		!settings.downloadFiles ||
		(delivery.event !== 'message.created' && delivery.event !== 'message.updated')
	) {
		return undefined;
	}
	const files = Array.isArray(delivery.data.files) ? (delivery.data.files as IDataObject[]) : [];
	const maxBytes = settings.maxFileSizeMb * 1024 * 1024;
	const binary: Record<string, IBinaryData> = {};
	const skippedFiles: IDataObject[] = [];
	for (const [index, file] of files.entries()) {
		if (typeof file.size === 'number' && file.size > maxBytes) {
			skippedFiles.push({
				id: file.id,
				name: file.name,
				size: file.size,
				reason: `larger than ${settings.maxFileSizeMb} MB`,
			});
			continue;
		}
		const content = (await teamSpiritApiRequest.call(ctx, {
			method: 'GET',
			path: `/files/${segment(String(file.id))}/content`,
			responseType: 'stream',
		})) as unknown as BinaryStream;
		binary[`file_${index}`] = await ctx.helpers.prepareBinaryData(
			content,
			String(file.name ?? 'file'),
			String(file.mimeType ?? ''),
		);
	}
	if (skippedFiles.length) json.skippedFiles = skippedFiles;
	return Object.keys(binary).length ? binary : undefined;
}

/**
 * Manual mode: the secret of the admin-created webhook, from the credential (a secret kept in a
 * node parameter would travel with every exported workflow). An empty one matches nothing.
 */
async function manualSecrets(
	ctx: IWebhookFunctions,
	settings: TriggerSettings,
): Promise<string[] | null> {
	if (!settings.verifyManual) return null;
	const credentials = await ctx.getCredentials<{ webhookSecret?: string }>('teamSpiritApi');
	return [String(credentials.webhookSecret ?? '').trim()];
}

/**
 * Why the delivery starts nothing (helpers/filters.ts), with what the filters need: the bot (for
 * message events, GET /me, kept 10 minutes) and, for `chat.updated`, the credential's
 * conversation secret (Conversation Changed is about chats whose key the bridge signed).
 */
async function whyThisIgnored(
	ctx: IWebhookFunctions,
	delivery: Delivery,
	settings: TriggerSettings,
): Promise<string | undefined> {
	const bot = needsBotIdentity(delivery, settings) ? await botIdentity(ctx) : undefined;
	const secret =
		delivery.event === 'chat.updated' && settings.events.includes(delivery.event)
			? await conversationSecretOf.call(ctx)
			: '';
	return whyIgnored(delivery, settings, bot, secret);
}

/** The items a delivery that passed the filters starts the workflow with (files as binary). */
async function workflowDataOf(
	ctx: IWebhookFunctions,
	delivery: Delivery,
	settings: TriggerSettings,
): Promise<INodeExecutionData[][]> {
	const [json, ...more] = toOutputItems(delivery, settings);
	// what the workflow starts for: Send to Customer catches up only on messages that pass it too
	if (settings.onlyMentions && isMessageEvent(delivery.event)) {
		json.triggerFilters = { onlyMentions: true };
	}
	const binary = isMessageEvent(delivery.event)
		? await downloadFiles(ctx, delivery, settings, json)
		: undefined;
	return [[binary ? { json, binary } : { json }, ...more.map((j) => ({ json: j }))]];
}

export async function handleDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const settings = readSettings(this);
	const request = this.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
		await request.readRawBody();

	const checked = checkDelivery({
		rawBody: Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined,
		headers: this.getHeaderData(),
		secrets:
			settings.setup === 'manual' ? await manualSecrets(this, settings) : registeredSecrets(this),
	});
	if (!checked.ok) {
		this.logger.warn(
			`TeamSpirit Trigger rejected a request with ${checked.status}: ${checked.message}`,
		);
		return answer(this, checked.status, { ok: false, error: checked.message });
	}
	const { delivery } = checked;

	// Test and production URL of one node each keep their own record (mode: manual / webhook).
	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${this.getMode()}`;
	const keys = [
		...(delivery.deliveryId ? [`${scope}|delivery:${delivery.deliveryId}`] : []),
		...(delivery.eventId ? [`${scope}|event:${delivery.eventId}`] : []),
	];
	// After the run, the delivery counts as handled once n8n answered it 2xx (see shared/acknowledge)
	const afterRun = acknowledgesAfterRun(this);
	if (handledBefore(afterRun, handledDeliveries, keys)) {
		const which = delivery.deliveryId ?? delivery.eventId;
		this.logger.debug(`TeamSpirit Trigger: delivery ${which} was already handled`);
		return answer(this, 200, { ok: true, ignored: `delivery ${which} was already handled` });
	}

	try {
		const ignored = await whyThisIgnored(this, delivery, settings);
		if (ignored) return answer(this, 200, { ok: true, ignored });

		const workflowData = await workflowDataOf(this, delivery, settings);
		if (afterRun) {
			claimWhenConfirmed(this, handledDeliveries, keys);
			return { workflowData };
		}
		answer(this, 200, { ok: true });
		return { noWebhookResponse: true, workflowData };
	} catch (error) {
		// not handled after all: TeamSpirit's retry gets another chance
		if (!afterRun) handledDeliveries.release(keys);
		throw withItemIndex(this.getNode(), error);
	}
}
