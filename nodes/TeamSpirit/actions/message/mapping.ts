/**
 * *Map Fields Automatically* (Send to Chat, Send to User, Reply), as n8n's database nodes offer
 * it (Postgres v2's "Map Automatically", `autoMapInputData`): the chat (or user), the text and the
 * idempotency key come from each input item's fields of the same names as the parameters
 * (`chatId`, `userId`, `messageId`, `text`, `idempotencyKey`, `fileIds`), with no expression
 * evaluated per item. The Options (Format, Concurrent Chats) are read once, for every item.
 * The default, *Map Each Field Manually*, is the node as it always was.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

const AUTO = 'autoMapInputData';
const MANUAL = 'defineBelow';

/** The fields each operation takes from an item in this mode, for the editor. */
const FIELDS = {
	send: 'chatId and text',
	sendToUser: 'userId and text',
	reply: 'chatId, messageId (the message replied to) and text',
};

/** The Data Mode picker of one operation. */
export function dataModeField(operation: keyof typeof FIELDS): INodeProperties {
	return {
		displayName: 'Data Mode',
		name: 'dataMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Map Each Field Manually',
				value: MANUAL,
				description: 'Set each field below, with expressions where they change per item',
			},
			{
				name: 'Map Fields Automatically',
				value: AUTO,
				description:
					`Take ${FIELDS[operation]} (optional: idempotencyKey, fileIds) from each input ` +
					"item's fields of these names, without expressions: faster for many items",
			},
		],
		default: MANUAL,
	};
}

/** Shows `properties` only in one of the two modes. */
export function inMode(mode: 'manual' | 'auto', properties: INodeProperties[]): INodeProperties[] {
	const dataMode = [mode === 'auto' ? AUTO : MANUAL];
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, dataMode },
		},
	}));
}

const modeOfRun = new WeakMap<IExecuteFunctions, boolean>();

/** Whether this node run takes its messages from the items' fields (read once per run). */
export function mapsFieldsAutomatically(ctx: IExecuteFunctions): boolean {
	let auto = modeOfRun.get(ctx);
	if (auto === undefined) {
		auto = ctx.getNodeParameter('dataMode', 0, MANUAL) === AUTO;
		modeOfRun.set(ctx, auto);
	}
	return auto;
}

const optionsOfRun = new WeakMap<IExecuteFunctions, IDataObject>();

/** The Options of this node run in this mode: read once, from the first item, for every item. */
export function runOptions(ctx: IExecuteFunctions): IDataObject {
	let options = optionsOfRun.get(ctx);
	if (!options) {
		options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
		optionsOfRun.set(ctx, options);
	}
	return options;
}

/**
 * The item's field `name` as text (a number is taken as its digits, a list of IDs for
 * `fileIds` joined): missing or empty is an error naming the field and the item when `required`,
 * else ''.
 */
export function itemField(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	required = true,
): string {
	const value = ctx.getInputData()[itemIndex]?.json?.[name];
	const fail = (what: string) =>
		new NodeOperationError(ctx.getNode(), `The field "${name}" ${what} on item ${itemIndex}`, {
			itemIndex,
			description:
				`Map Fields Automatically takes "${name}" from each input item. Add the field ` +
				'(e.g. with an Edit Fields node before this one), or choose Map Each Field Manually.',
		});
	if (value === undefined || value === null) {
		if (required) throw fail('is missing');
		return '';
	}
	let text: string;
	if (typeof value === 'string') text = value;
	else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
	else if (name === 'fileIds' && Array.isArray(value)) text = value.map(String).join(',');
	else throw fail(`is not text (${Array.isArray(value) ? 'a list' : typeof value})`);
	if (required && !text.trim()) throw fail('is empty');
	return name === 'text' ? text : text.trim();
}
