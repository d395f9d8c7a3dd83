import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapters } from '../../channels';
import { conversationIdRules } from '../../channels/texts';
import type { ChannelAdapter, InlineButton, TextFormat } from '../../channels/types';

export const conversationField: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	default: '={{ $json.conversationId }}',
	required: true,
	description:
		'Where the message goes. The Chat Channel Trigger puts it in every item as ' +
		`conversationId, so replies need no mapping. ${conversationIdRules()}`,
};

/** The formats' names; what each does, and which a channel offers, come from its adapter. */
const FORMAT_NAMES: Array<{ name: string; value: TextFormat }> = [
	{ name: 'HTML', value: 'html' },
	{ name: 'Markdown (Escaped for You)', value: 'markdownV2' },
	{ name: 'MarkdownV2 (As Written)', value: 'markdownV2Raw' },
	{ name: 'Plain Text', value: 'plain' },
];

const PLAIN_ONLY: Partial<Record<TextFormat, string>> = { plain: 'Shown exactly as written' };

/**
 * The Format field once per channel, offering the formats its adapter lists (`textFormats`). It
 * stays shown on every channel, so that a saved value the channel is no longer offered is kept
 * and still sent as before (n8n drops the values of hidden fields).
 */
export function formatFields(): INodeProperties[] {
	return Object.values(adapters).map((adapter) => {
		const offered = adapter.textFormats ?? PLAIN_ONLY;
		return {
			displayName: 'Format',
			name: 'format',
			type: 'options',
			options: FORMAT_NAMES.filter(({ value }) => offered[value] !== undefined).map(
				({ name, value }) => ({ name, value, description: offered[value] }),
			),
			default: 'plain',
			displayOptions: { show: { channel: [adapter.name] } },
		};
	});
}

/**
 * The Inline Buttons field once per channel that has buttons (its adapter's `buttons` says how they
 * look there), shown only for it: a channel without buttons is not offered the field.
 */
export function buttonsFields(): INodeProperties[] {
	return Object.values(adapters)
		.filter((adapter) => adapter.buttons)
		.map((adapter) => ({
			...buttonsField,
			description: adapter.buttons,
			displayOptions: { show: { channel: [adapter.name] } },
		}));
}

const buttonsField: INodeProperties = {
	displayName: 'Inline Buttons',
	name: 'buttons',
	type: 'fixedCollection',
	placeholder: 'Add Button Row',
	typeOptions: { multipleValues: true },
	default: {},
	options: [
		{
			displayName: 'Row',
			name: 'rows',
			values: [
				{
					displayName: 'Buttons',
					name: 'buttons',
					type: 'fixedCollection',
					typeOptions: { multipleValues: true },
					default: {},
					placeholder: 'Add Button',
					options: [
						{
							displayName: 'Button',
							name: 'button',
							values: [
								{
									displayName: 'Text',
									name: 'text',
									type: 'string',
									default: '',
									description: 'Label of the button',
								},
								{
									displayName: 'Callback Data',
									name: 'callbackData',
									type: 'string',
									default: '',
									description:
										'Sent back to the trigger when the button is pressed (up to 64 bytes); defaults to the text',
								},
								{
									displayName: 'URL',
									name: 'url',
									type: 'string',
									default: '',
									description: 'Opens this link instead of sending callback data',
								},
							],
						},
					],
				},
			],
		},
	],
};

export function getConversationId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
): string {
	const value = String(ctx.getNodeParameter('conversationId', itemIndex, '') ?? '').trim();
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), 'The conversation ID is empty', {
			itemIndex,
			description: 'Map it from the trigger ({{ $json.conversationId }}) or enter a chat ID.',
		});
	}
	const normalized = adapter.conversationId.normalize(value);
	if (normalized === undefined) {
		throw new NodeOperationError(
			ctx.getNode(),
			`"${value.slice(0, 60)}" is not a ${adapter.displayName} conversation ID`,
			{
				itemIndex,
				description: adapter.conversationId.description,
			},
		);
	}
	return normalized;
}

export function getButtons(ctx: IExecuteFunctions, itemIndex: number): InlineButton[][] {
	const value = ctx.getNodeParameter('buttons', itemIndex, {}) as {
		rows?: Array<{ buttons?: { button?: InlineButton[] } }>;
	};
	return (value.rows ?? []).map((row) => row.buttons?.button ?? []).filter((row) => row.length);
}

export function getFormat(ctx: IExecuteFunctions, itemIndex: number): TextFormat {
	return ctx.getNodeParameter('format', itemIndex, 'plain') as TextFormat;
}
