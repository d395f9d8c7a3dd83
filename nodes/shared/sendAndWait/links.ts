import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

/** One link of the wait message: its label and the signed URL that answers with it. */
export interface AnswerLink {
	label: string;
	url: string;
	/** For approval links: what the link answers. */
	approved?: boolean;
}

export type ResponseType = 'approval' | 'freeText' | 'customForm';

export function responseTypeOf(ctx: IExecuteFunctions | IWebhookFunctions): ResponseType {
	const value =
		'getInputData' in ctx
			? ctx.getNodeParameter('responseType', 0, 'approval')
			: ctx.getNodeParameter('responseType', 'approval');
	return value === 'freeText' || value === 'customForm' ? value : 'approval';
}

/** The labels of the approval links (defaults as in n8n), read for item 0 as n8n does. */
export function approvalLabels(ctx: IExecuteFunctions | IWebhookFunctions): {
	double: boolean;
	approve: string;
	decline: string;
} {
	const values = (
		'getInputData' in ctx
			? ctx.getNodeParameter('approvalOptions.values', 0, {})
			: ctx.getNodeParameter('approvalOptions.values', {})
	) as IDataObject;
	return {
		double: values.approvalType === 'double',
		approve: String(values.approveLabel ?? '').trim() || 'Approve',
		decline: String(values.disapproveLabel ?? '').trim() || 'Decline',
	};
}

/**
 * The links of the wait message, each a URL n8n signs (`getSignedResumeUrl`): n8n checks the
 * signature before the node's webhook sees the request, so a changed link starts nothing.
 * Approval: Approve (`approved=true`) and, for "Approve and Disapprove", Decline
 * (`approved=false`); free text and custom form: one link to the form (Message Button Label).
 */
export function answerLinks(ctx: IExecuteFunctions): AnswerLink[] {
	if (responseTypeOf(ctx) !== 'approval') {
		const label = String(ctx.getNodeParameter('options.messageButtonLabel', 0, '') ?? '').trim();
		return [{ label: label || 'Respond', url: ctx.getSignedResumeUrl({ approved: 'true' }) }];
	}
	const { double, approve, decline } = approvalLabels(ctx);
	const links: AnswerLink[] = [
		{ label: approve, url: ctx.getSignedResumeUrl({ approved: 'true' }), approved: true },
	];
	if (double) {
		links.push({
			label: decline,
			url: ctx.getSignedResumeUrl({ approved: 'false' }),
			approved: false,
		});
	}
	return links;
}
