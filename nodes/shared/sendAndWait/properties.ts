/**
 * The parameters of Send and Wait for Response, with n8n's own names (n8n-nodes-base's
 * utils/sendAndWait): n8n 2.41 turns a node with a `sendAndWait` operation and `webhooks` into a
 * human-review tool for the AI Agent (`<name>HitlTool`), replaces `message`, forces
 * `responseType` to `approval` and keeps `approvalOptions`; the agent reads `data.approved`.
 */
import type { IDisplayOptions, INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { updateDisplayOptions } from '../displayOptions';

/** n8n's two waiting webhooks (its sendAndWaitWebhooksDescription): the links and the forms. */
export const sendAndWaitWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map(
	(httpMethod) => ({
		name: 'default',
		httpMethod,
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	}),
);

/** The form field types the custom form page has (n8n's names). */
export const FORM_FIELD_TYPES = [
	'checkbox',
	'date',
	'dropdown',
	'email',
	'number',
	'text',
	'textarea',
] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

const typeNames: Record<FormFieldType, string> = {
	checkbox: 'Checkboxes',
	date: 'Date',
	dropdown: 'Dropdown List',
	email: 'Email',
	number: 'Number',
	text: 'Text',
	textarea: 'Textarea',
};

const formFields: INodeProperties = {
	displayName: 'Form Elements',
	name: 'formFields',
	placeholder: 'Add Form Element',
	type: 'fixedCollection',
	default: {},
	typeOptions: { multipleValues: true, sortable: true },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Element Type',
					name: 'fieldType',
					type: 'options',
					default: 'text',
					options: FORM_FIELD_TYPES.map((value) => ({ name: typeNames[value], value })),
				},
				{
					displayName: 'Field Name',
					name: 'fieldLabel',
					type: 'string',
					default: '',
					placeholder: 'e.g. What is your name?',
					description: 'Label shown above the field; the key of its value in the output',
					required: true,
				},
				{
					displayName: 'Field Options',
					name: 'fieldOptions',
					placeholder: 'Add Field Option',
					type: 'fixedCollection',
					default: { values: [{ option: '' }] },
					required: true,
					displayOptions: { show: { fieldType: ['dropdown', 'checkbox'] } },
					typeOptions: { multipleValues: true, sortable: true },
					options: [
						{
							displayName: 'Values',
							name: 'values',
							values: [{ displayName: 'Option', name: 'option', type: 'string', default: '' }],
						},
					],
				},
				{
					displayName: 'Multiple Choice',
					name: 'multiselect',
					type: 'boolean',
					default: false,
					description: 'Whether several options can be chosen',
					displayOptions: { show: { fieldType: ['dropdown'] } },
				},
				{
					displayName: 'Placeholder',
					name: 'placeholder',
					type: 'string',
					default: '',
					displayOptions: { show: { fieldType: ['text', 'textarea', 'number', 'email'] } },
				},
				{
					displayName: 'Required Field',
					name: 'requiredField',
					type: 'boolean',
					default: false,
					description: 'Whether the form can be sent without this field',
				},
			],
		},
	],
	displayOptions: { show: { responseType: ['customForm'] } },
};

/** n8n's limitWaitTimeOption: at the limit the execution goes on with the node's input items. */
const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description:
		'Whether to limit the time this node waits for an answer. When the time is up, the ' +
		'execution goes on without an answer: the node outputs its input items.',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					options: [
						{ name: 'After Time Interval', value: 'afterTimeInterval' },
						{ name: 'At Specified Time', value: 'atSpecifiedTime' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 1,
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					default: 'hours',
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					default: '',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
				},
			],
		},
	],
};

const approvalOptions: INodeProperties = {
	displayName: 'Approval Options',
	name: 'approvalOptions',
	type: 'fixedCollection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Type of Approval',
					name: 'approvalType',
					type: 'options',
					default: 'single',
					options: [
						{ name: 'Approve Only', value: 'single' },
						{ name: 'Approve and Disapprove', value: 'double' },
					],
				},
				{
					displayName: 'Approve Button Label',
					name: 'approveLabel',
					type: 'string',
					default: 'Approve',
				},
				{
					displayName: 'Disapprove Button Label',
					name: 'disapproveLabel',
					type: 'string',
					default: 'Decline',
					displayOptions: { show: { approvalType: ['double'] } },
				},
			],
		},
	],
	displayOptions: { show: { responseType: ['approval'] } },
};

const formOptions: INodeProperties[] = [
	{
		displayName: 'Message Button Label',
		name: 'messageButtonLabel',
		type: 'string',
		default: 'Respond',
		description: 'The text of the link to the form',
	},
	{
		displayName: 'Response Form Button Label',
		name: 'responseFormButtonLabel',
		type: 'string',
		default: 'Submit',
	},
	{
		displayName: 'Response Form Description',
		name: 'responseFormDescription',
		type: 'string',
		default: '',
		description: 'Text above the form (default: the message)',
	},
	{
		displayName: 'Response Form Title',
		name: 'responseFormTitle',
		type: 'string',
		default: '',
	},
];

/**
 * The operation's parameters after the node's own target fields (the chat, the customer…),
 * shown for `show` (the resource and `operation: sendAndWait`). `extraOptions` join both Options
 * collections (e.g. Accept Replies in TeamSpirit).
 */
export function sendAndWaitProperties(
	show: NonNullable<IDisplayOptions['show']>,
	target: INodeProperties[],
	{ messageHint, extraOptions = [] }: { messageHint: string; extraOptions?: INodeProperties[] },
): INodeProperties[] {
	const byName = (a: INodeProperties, b: INodeProperties) =>
		a.displayName.localeCompare(b.displayName);
	const options = (names: INodeProperties[], responseTypes: string[]): INodeProperties => ({
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...names, limitWaitTime, ...extraOptions].sort(byName),
		displayOptions: { show: { responseType: responseTypes } },
	});
	return updateDisplayOptions({ show }, [
		...target,
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			default: '',
			required: true,
			typeOptions: { rows: 4 },
			description: messageHint,
		},
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			default: 'approval',
			options: [
				{
					name: 'Approval',
					value: 'approval',
					description: 'The answer is a click on Approve (or Decline)',
				},
				{
					name: 'Free Text',
					value: 'freeText',
					description: 'The answer is a text, typed in a form',
				},
				{
					name: 'Custom Form',
					value: 'customForm',
					description: 'The answer is a form with the fields you define',
				},
			],
		},
		formFields,
		approvalOptions,
		options([], ['approval']),
		options(formOptions, ['freeText', 'customForm']),
	]);
}
