/**
 * Message → Send and Wait for Response, for customers on every channel: one question (for the
 * first item, as n8n's Send and Wait) whose answers are signed links, shown as the channel can
 * (its adapter's `waitPrompt`: Telegram link buttons, Messenger quick replies relayed by the Chat
 * Channel Trigger, WhatsApp links in the text; Free Text and Custom Form a "Respond" link to the
 * form page); then the execution waits. It goes on with the answer (the node's `webhook()`), or
 * with the input items when the time limit passes.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { promptOf } from '../../../channels/waiting';
import { withItemIndex } from '../../../shared/errors';
import { answerLinks, responseTypeOf } from '../../../shared/sendAndWait/links';
import { sendAndWaitProperties } from '../../../shared/sendAndWait/properties';
import { waitTillDate } from '../../../shared/sendAndWait/waitTill';
import { conversationField, getConversationId } from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';

export const description = sendAndWaitProperties(
	{ resource: ['message'], operation: ['sendAndWait'] },
	[conversationField],
	{
		messageHint:
			'The question, as plain text (e.g. "Confirm your appointment tomorrow at 10?"). The ' +
			"customer answers with the channel's buttons where it has them (e.g. Telegram's buttons, " +
			"Messenger's quick replies), else with links in the text; Free Text and Custom Form add a " +
			'link to a form page.',
	},
);

function questionText(ctx: IExecuteFunctions): string {
	const text = String(ctx.getNodeParameter('message', 0, '') ?? '').trim();
	if (!text) {
		throw new NodeOperationError(ctx.getNode(), 'The message is empty', {
			itemIndex: 0,
			description: 'Write the question the customer answers.',
		});
	}
	return text;
}

/** Sends the question to the first item's conversation, then puts the execution to wait. */
export async function runOnce(
	this: IExecuteFunctions,
	call: OperationCall,
): Promise<INodeExecutionData[][]> {
	try {
		const conversationId = getConversationId(this, 0, call.adapter);
		const text = questionText(this);
		const waitTill = waitTillDate(this);
		const kind = responseTypeOf(this) === 'approval' ? 'answers' : 'form';
		const links = answerLinks(this).map(({ label, url }) => ({ label, url }));
		const prompt = promptOf(call.adapter, { text, kind, links });
		await call.adapter.actions.sendText(sendContext(this, { ...call, conversationId }), {
			conversationId,
			text: prompt.text,
			format: 'plain',
			buttons: prompt.buttons,
			disableLinkPreview: true,
		});
		await this.putExecutionToWait(waitTill);
	} catch (error) {
		if (!this.continueOnFail()) throw withItemIndex(this.getNode(), error, 0);
		return [[{ json: { error: (error as Error).message }, pairedItem: { item: 0 } }]];
	}
	return [this.getInputData()];
}
