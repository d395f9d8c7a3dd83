import type { IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { withItemIndex } from '../../../shared/errors';
import type { AnswerClaim } from '../../../shared/sendAndWait/webhook';
import { outcomeText } from '../../../shared/sendAndWait/answer';
import { sendAndWaitProperties } from '../../../shared/sendAndWait/properties';
import { waitTillDate } from '../../../shared/sendAndWait/waitTill';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString } from '../../../shared/teamspirit/utils';
import { answerLine, registerReplies, replyOptions } from './sendAndWaitReplies';
import { claimWaitMessage, postWaitMessage, waitOutcome, waitText } from './waitMessage';

export const description = sendAndWaitProperties(
	{ resource: ['message'], operation: ['sendAndWait'] },
	[chatRLC],
	{
		messageHint:
			'The message, in TeamSpirit markdown. The links to answer are added below it; once ' +
			'answered, they are replaced by the outcome.',
		extraOptions: replyOptions,
	},
);

/**
 * Posts one wait message (for the first item, as n8n's Send and Wait) with the links to answer,
 * then puts the execution to wait. It goes on with the answer (`webhook()`), or with the input
 * items when the time limit passes.
 */
export async function runOnce(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	try {
		const chatId = getLocatorValue(this, 'chatId', 0, 'Chat');
		const message = getRequiredString(this, 'message', 0, 'Message');
		const waitTill = waitTillDate(this);
		const posted = await postWaitMessage(this, chatId, waitText(message, answerLine(this)));
		await registerReplies(this, { chatId, messageId: String(posted.id) });
		await this.putExecutionToWait(waitTill);
	} catch (error) {
		if (!this.continueOnFail()) throw withItemIndex(this.getNode(), error, 0);
		return [[{ json: { error: (error as Error).message }, pairedItem: { item: 0 } }]];
	}
	return [this.getInputData()];
}

/** The wait message in the node's chat, claimed by the first answer (waitMessage.ts). */
export function waitClaim(ctx: IWebhookFunctions, by = ''): AnswerClaim {
	const chatId = () => String(ctx.getNodeParameter('chatId', '', { extractValue: true })).trim();
	return {
		answered: async () => await waitOutcome(ctx, chatId()),
		claim: async (answer) => await claimWaitMessage(ctx, chatId(), outcomeText(answer, by)),
	};
}
