import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { templateIdRules } from '../../../channels/texts';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { conversationField } from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { actionOf } from '../../descriptions/offers';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Template ID',
		name: 'templateId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'HX0123456789abcdef0123456789abcdef',
		description:
			'The approved template to send: what the channel allows outside the 24-hour window. ' +
			templateIdRules(),
	},
	{
		displayName: 'Variables (JSON)',
		name: 'variables',
		type: 'json',
		default: '{}',
		description: 'The template\'s variables, e.g. {"1": "Ada", "2": "12:30"}',
	},
];

/** Claimed per triggering event: see nodes/shared/claims.ts. */
export const sendsOncePerEvent = true;

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['sendTemplate'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const sendTemplate = actionOf(this, call, 'sendTemplate', 'send message templates');
	const templateId = String(this.getNodeParameter('templateId', itemIndex, '')).trim();
	const rule = call.adapter.templateId;
	if (rule && !rule.pattern.test(templateId)) {
		throw new NodeOperationError(
			this.getNode(),
			`"${templateId.slice(0, 40)}" is not a template ID`,
			{
				itemIndex,
				description: rule.description,
			},
		);
	}
	let variables = this.getNodeParameter('variables', itemIndex, {}) as unknown;
	if (typeof variables === 'string') {
		try {
			variables = variables.trim() ? JSON.parse(variables) : {};
		} catch {
			throw new NodeOperationError(this.getNode(), 'The template variables are not valid JSON', {
				itemIndex,
			});
		}
	}
	if (!variables || typeof variables !== 'object' || Array.isArray(variables)) {
		throw new NodeOperationError(
			this.getNode(),
			'The template variables must be a JSON object, e.g. {"1": "Ada"}',
			{ itemIndex },
		);
	}
	const values: Record<string, string> = {};
	for (const [key, value] of Object.entries(variables as IDataObject)) {
		values[key] =
			value === null || value === undefined
				? ''
				: typeof value === 'object'
					? JSON.stringify(value)
					: String(value);
	}
	return await sendTemplate(sendContext(this, call), {
		conversationId: call.conversationId,
		templateId,
		variables: values,
	});
}
