/**
 * "Acknowledge": when a trigger tells the platform (Telegram, Twilio, Meta, TeamSpirit) that a
 * delivery was taken. *When Received* (default) answers before the workflow runs. *After the
 * Workflow Has Run* answers after the execution ended: 2xx when it succeeded, n8n's 500 when it
 * failed or was marked crashed, so the platform sends the delivery again.
 *
 * Why: in queue mode n8n does not run a job again whose worker died (Bull's `maxStalledCount: 0`);
 * the execution is marked crashed and a delivery already answered is lost. Everything downstream is
 * keyed (exactly once), so a delivery sent again is safe.
 *
 * Webhooks use n8n's own response mode: the node's webhook description reads this parameter
 * (`acknowledgeResponseMode`, `responseData: 'noData'`), and `webhook()` leaves the answer to n8n
 * for an accepted delivery. Rejections, repeats and skipped deliveries are still answered at once.
 */
import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import type { RecentIds } from './dedupe';
import type { WebhookField } from './webhookFields';

/**
 * n8n's response mode for the trigger's webhook: `lastNode` after the run, else `onReceived`
 * (spread with `webhookFields()`, so that n8n reads it without its expression engine).
 */
export const acknowledgeResponseMode: WebhookField = {
	template: '={{$parameter["acknowledge"] === "afterRun" ? "lastNode" : "onReceived"}}',
	resolve: (parameters) => (parameters.acknowledge === 'afterRun' ? 'lastNode' : 'onReceived'),
};

/** The "Acknowledge" parameter; `resend` says what the platform does with a failed answer. */
export function acknowledgeProperty(resend: string): INodeProperties {
	return {
		displayName: 'Acknowledge',
		name: 'acknowledge',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'After the Workflow Has Run',
				value: 'afterRun',
				description:
					'The delivery is confirmed only when the execution succeeded; a failed or crashed ' +
					`execution gets an error answer, and ${resend}. Recommended in queue mode.`,
			},
			{
				name: 'When Received',
				value: 'whenReceived',
				description:
					'The delivery is confirmed at once, before the workflow runs: a failed or crashed ' +
					'execution is not sent again',
			},
		],
		default: 'whenReceived',
		description:
			'When the delivery is confirmed. In queue mode n8n does not run an execution again whose ' +
			'worker died (it is marked crashed 1 to 2 minutes later); with After the Workflow Has Run the ' +
			'platform then sends the delivery again. The platform waits for the run: a run longer than ' +
			'its timeout is sent again while it still runs (the conversation keys keep it once).',
	};
}

/** Whether the node confirms deliveries only after the workflow has run. */
export function acknowledgesAfterRun(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): boolean {
	return ctx.getNodeParameter('acknowledge', 'whenReceived') === 'afterRun';
}

/**
 * Whether a delivery was handled before. When received: it is claimed now. After the run: only
 * checked; `claimWhenConfirmed` claims it once the platform got its 2xx, so a delivery whose
 * execution failed starts again when it is sent again.
 */
export function handledBefore(afterRun: boolean, store: RecentIds, keys: string[]): boolean {
	return afterRun ? keys.some((key) => store.has(key)) : !store.claim(keys);
}

/** After the run: remembers the delivery when n8n's answer to it was a 2xx. */
export function claimWhenConfirmed(ctx: IWebhookFunctions, store: RecentIds, keys: string[]): void {
	const res = ctx.getResponseObject();
	res.once('finish', () => {
		if (res.statusCode >= 200 && res.statusCode < 300) store.claim(keys);
	});
}
