/**
 * `POST typing` `{ token }`: the visitor is typing. Shown to the operators in the conversation
 * chat by ../typing.ts (a hint: any failure there is only logged); 204. Counted per client address
 * in this process, apart from messages (../limits.ts `takeTyping`): beyond it 429, and nothing shown.
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { TriggerEndpoint } from '../../types';
import { limitsOf, takeTyping } from '../limits';
import { visitorTyping } from '../typing';
import { describe, guard, LABEL } from './guard';
import { jsonFields, sendError, sendNoContent } from './http';

async function handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await guard(ctx, jsonFields(ctx)?.token);
	if ('response' in checked) return checked.response;
	const wait = takeTyping(ctx, limitsOf(ctx));
	if (wait !== undefined)
		return sendError(ctx, 429, 'rate_limited', 'Too many requests: try again later', wait);
	try {
		await visitorTyping(ctx, checked.session.visitorId);
	} catch (error) {
		ctx.logger.debug(`${LABEL}: the visitor's typing was not shown (${describe(error)})`);
	}
	return sendNoContent(ctx);
}

export const typingEndpoint: TriggerEndpoint = {
	name: 'typing',
	httpMethod: 'POST',
	path: 'typing',
	handle,
};
