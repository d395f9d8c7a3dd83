import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { eventActionKey } from '../../../shared/events';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { formatField } from '../../../shared/teamspirit/descriptions';
import { getRequiredString } from '../../../shared/teamspirit/utils';
import { itemField, mapsFieldsAutomatically, runOptions } from './mapping';

/** Chats written to at once by default: modest for a self-hosted server, 8× faster than one. */
export const DEFAULT_CONCURRENT_CHATS = 8;

/** The "Concurrent Chats" option of the operations that write to one chat per item. */
const concurrentChatsField: INodeProperties = {
	displayName: 'Concurrent Chats',
	name: 'concurrentChats',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 64, numberPrecision: 0 },
	default: DEFAULT_CONCURRENT_CHATS,
	description:
		'How many chats the node writes to at the same time. ' +
		"Each chat's items are still sent one after another, in input order, and the output keeps " +
		'the input order. 1 sends item after item. A 429 from TeamSpirit pauses all of them.',
};

/** An Options collection holding only Concurrent Chats (Edit, Delete). */
export const concurrencyOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [concurrentChatsField],
};

export const messageOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Attach File IDs',
			name: 'fileIds',
			type: 'string',
			default: '',
			placeholder: 'f_1a2b, f_3c4d',
			description:
				'IDs of files already uploaded to TeamSpirit (comma-separated), shown with the message',
		},
		concurrentChatsField,
		formatField,
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			placeholder: '={{ $json.eventId }}',
			description:
				'A key for this message: sending again with the same key within 24 hours returns the ' +
				'message already posted instead of posting a second one. Empty: derived from the ' +
				'triggering event when the item is a TeamSpirit Trigger or Chat Channel Trigger item ' +
				'(its eventId, this node and the item), so a second execution of the same event posts ' +
				'nothing new; otherwise a new key per item, which protects only the retries inside one run.',
		},
	],
};

/**
 * The Options of Map Fields Automatically: the same for every item (read once), so no
 * Idempotency Key or Attach File IDs here: those are the item's fields `idempotencyKey`, `fileIds`.
 */
export const mappedMessageOptions: INodeProperties = {
	...messageOptions,
	options: [concurrentChatsField, formatField],
};

export function parseIdList(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return list.map((id) => String(id).trim()).filter(Boolean);
}

/** What one item posts: the body, and the Idempotency Key it was given ('' when none). */
export interface OutgoingMessage {
	body: IDataObject;
	key: string;
}

function bodyOf(text: string, format: unknown, fileIds: unknown): IDataObject {
	const body: IDataObject = { text, format: (format as string) || 'plain' };
	const ids = parseIdList(fileIds);
	if (ids.length) body.fileIds = ids;
	return body;
}

/** The item's message, from its fields (Map Fields Automatically) or from the parameters. */
export function outgoingMessage(ctx: IExecuteFunctions, itemIndex: number): OutgoingMessage {
	if (mapsFieldsAutomatically(ctx)) {
		const options = runOptions(ctx);
		return {
			body: bodyOf(
				itemField(ctx, itemIndex, 'text'),
				options.format,
				itemField(ctx, itemIndex, 'fileIds', false),
			),
			key: itemField(ctx, itemIndex, 'idempotencyKey', false),
		};
	}
	const text = getRequiredString(ctx, 'text', itemIndex, 'Text');
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return { body: bodyOf(text, options.format, options.fileIds), key: keyOf(options) };
}

/** The Idempotency Key option, trimmed ('' when not set). */
export function keyOf(options: IDataObject): string {
	return typeof options.idempotencyKey === 'string' ? options.idempotencyKey.trim() : '';
}

/**
 * Creates a message with an idempotency key, so a retry after a lost answer or a 5xx returns
 * the message TeamSpirit already accepted instead of posting it twice.
 */
export async function createMessage(
	this: IExecuteFunctions,
	path: string,
	{ body, key: ownKey }: OutgoingMessage,
	itemIndex: number,
): Promise<IDataObject> {
	if (ownKey.length > 255) {
		throw new NodeOperationError(
			this.getNode(),
			'The Idempotency Key is longer than 255 characters',
			{
				itemIndex,
				description: 'Use a shorter key, e.g. an ID of the event that caused the message.',
			},
		);
	}
	const derived = ownKey ? undefined : eventActionKey(this, itemIndex, `teamspirit:${path}`);
	const outcome = await teamSpiritApiRequest
		.call(this, {
			method: 'POST',
			path,
			body,
			idempotencyKey:
				ownKey || (derived ? `n8n-event-${derived}` : `n8n-${randomBytes(16).toString('hex')}`),
			itemIndex,
		})
		.then(
			(message) => ({ message, error: undefined }),
			(error: unknown) => ({ message: undefined, error }),
		);
	if (outcome.message) return outcome.message;
	const { error } = outcome;
	// TeamSpirit keeps a key for 24 hours; the same key with another body is refused (400)
	if (
		derived &&
		error instanceof NodeApiError &&
		error.httpCode === '400' &&
		/already used/i.test(error.message)
	) {
		error.description =
			'This node already posted a message for this event (its Idempotency Key is derived from ' +
			"the trigger item's eventId), with a different text: nothing was posted again. " +
			'To post anyway, set the option Idempotency Key (e.g. to {{ $execution.id }}).';
	}
	throw error;
}
