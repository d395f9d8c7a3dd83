/**
 * Registering the outgoing webhook in TeamSpirit (Webhook Setup: Register Automatically).
 *
 * The node's static data keeps one registration per webhook URL: `{ id, secret, events, chatIds }`.
 * Keyed by URL, so that the test URL (the editor listening for a test event) and the production URL
 * (the active workflow) each have their own registration, and neither deletes the other's. Only
 * registrations this node created are ever deleted, by their id. A registration made under another
 * origin (n8n's WEBHOOK_URL changed since) still counts as this URL's when its path is the same:
 * the path tells test and production apart, the origin does not.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../shared/errors';
import { segment } from '../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../shared/teamspirit/transport';
import { readSettings } from './description';

export interface Registration {
	id: string;
	/** Signs the deliveries; returned by TeamSpirit only when the webhook is created. */
	secret: string;
	events: string[];
	chatIds: string[];
}

type Registrations = Record<string, Registration>;

function registrations(ctx: IHookFunctions | IWebhookFunctions): Registrations {
	return ((ctx.getWorkflowStaticData('node').registrations as Registrations | undefined) ??
		{}) as Registrations;
}

function saveRegistrations(ctx: IHookFunctions, next: Registrations): void {
	// a new object on the node's static data marks it changed, so that n8n saves it
	ctx.getWorkflowStaticData('node').registrations = next as unknown as IDataObject;
}

function webhookUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url)
		throw new NodeOperationError(ctx.getNode(), 'n8n did not provide a webhook URL for this node');
	return url;
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return url;
	}
}

/** This URL's registration: the one made for it, or for the same path under an earlier origin. */
function findRegistration(all: Registrations, url: string): [string, Registration] | undefined {
	if (all[url]) return [url, all[url]];
	return Object.entries(all).find(([key]) => pathOf(key) === pathOf(url));
}

const httpCodeOf = (error: unknown) => String((error as { httpCode?: unknown }).httpCode ?? '');

const sameSet = (a: unknown, b: string[]) =>
	Array.isArray(a) && a.length === b.length && b.every((value) => a.includes(value));

/** The secrets deliveries to this node may be signed with: the one of the URL called, else all it holds. */
export function registeredSecrets(ctx: IWebhookFunctions): string[] {
	const all = registrations(ctx);
	const url =
		typeof ctx.getWebhookResourceUrl === 'function'
			? ctx.getWebhookResourceUrl('default')
			: undefined;
	const own = url ? all[url] : undefined;
	return (own ? [own] : Object.values(all)).map((registration) => registration.secret);
}

async function deleteRemote(ctx: IHookFunctions, id: string): Promise<void> {
	try {
		await teamSpiritApiRequest.call(ctx, { method: 'DELETE', path: `/webhooks/${segment(id)}` });
	} catch (error) {
		if (httpCodeOf(error) !== '404') throw withItemIndex(ctx.getNode(), error);
	}
}

/** True when TeamSpirit still has this node's registration for this URL, with the events and chats chosen now. */
async function checkExists(this: IHookFunctions): Promise<boolean> {
	const settings = readSettings(this);
	if (settings.setup === 'manual') return true;
	const url = webhookUrl(this);
	const [, registration] = findRegistration(registrations(this), url) ?? [];
	if (!registration) return false;
	let remote: IDataObject;
	try {
		remote = await teamSpiritApiRequest.call(this, {
			method: 'GET',
			path: `/webhooks/${segment(registration.id)}`,
		});
	} catch (error) {
		if (httpCodeOf(error) === '404') return false; // deleted in TeamSpirit: register again
		throw withItemIndex(this.getNode(), error);
	}
	return (
		remote.url === url &&
		sameSet(remote.events, settings.events) &&
		sameSet(remote.chatIds, settings.chatIds)
	);
}

async function create(this: IHookFunctions): Promise<boolean> {
	const settings = readSettings(this);
	if (settings.setup === 'manual') return true;
	if (settings.events.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Choose at least one event', {
			description: 'TeamSpirit needs the events to send to this workflow.',
		});
	}
	const url = webhookUrl(this);
	const all = registrations(this);
	const [previousKey, previous] = findRegistration(all, url) ?? [];
	// ours, for this URL, but out of date (other events, chats or origin): replace it
	if (previous) await deleteRemote(this, previous.id);
	const { [previousKey ?? url]: _replaced, ...others } = all;
	const created = await teamSpiritApiRequest.call(this, {
		method: 'POST',
		path: '/webhooks',
		body: { url, events: settings.events, chatIds: settings.chatIds },
	});
	if (typeof created.id !== 'string' || typeof created.secret !== 'string' || !created.secret) {
		throw new NodeOperationError(
			this.getNode(),
			'TeamSpirit did not return the new webhook’s id and secret',
		);
	}
	saveRegistrations(this, {
		...others,
		[url]: {
			id: created.id,
			secret: created.secret,
			events: settings.events,
			chatIds: settings.chatIds,
		},
	});
	return true;
}

/** Deletes this node's registration for this URL, and nothing else. */
async function remove(this: IHookFunctions): Promise<boolean> {
	const all = registrations(this);
	const [key, registration] = findRegistration(all, webhookUrl(this)) ?? [];
	if (!key || !registration) return true;
	const { [key]: _deleted, ...others } = all;
	try {
		await deleteRemote(this, registration.id);
	} catch (error) {
		// keep it: the next activation replaces it
		this.logger.warn(
			`TeamSpirit Trigger: could not delete webhook ${registration.id}: ${(error as Error).message}`,
		);
		return false;
	}
	saveRegistrations(this, others);
	return true;
}

export const webhookMethods = { default: { checkExists, create, delete: remove } };
