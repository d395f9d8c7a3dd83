/**
 * `POST session` `{ token?, name?, email? }`: the visitor's session and the widget's settings.
 * A valid token keeps its visitor (and gets a fresh token: 180 days from now); none or an invalid
 * one starts a new visitor. A name or e-mail is stored on the visitor's transcript (created for
 * it when there is none yet), so operators see who writes.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { TriggerEndpoint } from '../../types';
import { applyCors } from '../cors';
import { limitsOf, takeAddress } from '../limits';
import { issueSession, newVisitorId, readSession } from '../session';
import { isOffline } from '../status';
import { textsOf } from '../texts';
import {
	ensureTranscript,
	findTranscript,
	updateContact,
	type Contact,
	type TranscriptChat,
} from '../transcript';
import { sessionSecretOf } from '../transport';
import { originRefused, unavailable } from './guard';
import { jsonFields, sendError, sendJson, stringField } from './http';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DEFAULT_ACCENT = '#2563eb';

/** The Accent Color when it is a hex colour (#rgb / #rrggbb), else the default: it goes into CSS. */
const accentColorOf = (value: unknown): string => {
	const color = String(value ?? '').trim();
	return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : DEFAULT_ACCENT;
};

/** The widget's settings: texts, the contact form, limits, offline, look. */
async function configOf(ctx: IWebhookFunctions): Promise<IDataObject> {
	const limits = limitsOf(ctx);
	const ask = String(ctx.getNodeParameter('websiteAskContact', 'off'));
	return {
		texts: textsOf(
			ctx.getNodeParameter('websiteLanguage', 'en'),
			ctx.getNodeParameter('websiteTexts', {}) as IDataObject,
		),
		askContact: ['optional', 'required'].includes(ask) ? ask : 'off',
		maxTextLength: limits.maxTextLength,
		maxFileSize: limits.maxFileSize,
		maxFiles: limits.maxFiles,
		offline: await isOffline(ctx),
		accentColor: accentColorOf(ctx.getNodeParameter('websiteAccentColor', DEFAULT_ACCENT)),
		position: ctx.getNodeParameter('websitePosition', 'right') === 'left' ? 'left' : 'right',
	};
}

/** The name and e-mail in the request (trimmed, bounded), or a reason to refuse it. */
function contactOf(fields: IDataObject): Contact | string {
	const contact: Contact = {};
	const name = stringField(fields, 'name')?.trim();
	const email = stringField(fields, 'email')?.trim();
	if (name !== undefined) {
		if (name.length > 200) return 'The name is longer than 200 characters';
		contact.name = name;
	}
	if (email) {
		if (email.length > 254 || !EMAIL.test(email)) return 'The e-mail address is not valid';
		contact.email = email;
	}
	return contact;
}

const contactView = (chat: TranscriptChat | undefined) => {
	const { name = '', email = '' } = chat?.metadata ?? {};
	return name || email ? { name, email } : null;
};

/** The transcript with the contact stored (made for it when new); for no contact, found only. */
async function withContact(
	ctx: IWebhookFunctions,
	visitorId: string,
	known: boolean,
	contact: Contact,
): Promise<TranscriptChat | undefined> {
	if (contact.name === undefined && contact.email === undefined) {
		return known ? await findTranscript(ctx, visitorId) : undefined;
	}
	const chat = await ensureTranscript(ctx, visitorId, contact);
	return await updateContact(ctx, chat, contact);
}

async function handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	if (!applyCors(ctx)) return originRefused(ctx);
	const body = ctx.getBodyData() as unknown;
	const fields = body === '' || body === undefined ? {} : jsonFields(ctx);
	if (!fields) return sendError(ctx, 400, 'bad_request', 'The body is not a JSON object');
	const contact = contactOf(fields);
	if (typeof contact === 'string') return sendError(ctx, 400, 'bad_request', contact);
	try {
		const secret = await sessionSecretOf(ctx);
		// every session counts per address, a new visitor's too: else one address could start any
		// number of visitors, each with its own long polls and messages
		const wait = takeAddress(ctx, limitsOf(ctx));
		if (wait !== undefined)
			return sendError(ctx, 429, 'rate_limited', 'Too many requests: try again later', wait);
		const known = readSession(secret, fields.token);
		const visitorId = known?.visitorId ?? newVisitorId();
		const chat = await withContact(ctx, visitorId, known !== undefined, contact);
		return sendJson(ctx, 200, {
			token: issueSession(secret, visitorId).token,
			visitorId,
			contact: contactView(chat),
			config: await configOf(ctx),
		});
	} catch (error) {
		return unavailable(ctx, error);
	}
}

export const sessionEndpoint: TriggerEndpoint = {
	name: 'session',
	httpMethod: 'POST',
	path: 'session',
	handle,
};
