/**
 * Answers to Send and Wait for Response given as replies in TeamSpirit (option Accept Replies in
 * TeamSpirit). The plug points the operation and the node's `webhook()` call; filled in by the
 * replies feature.
 */
import type { IExecuteFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** The wait message just posted. */
export interface WaitMessage {
	chatId: string;
	messageId: string;
}

/** Whether the request is a TeamSpirit delivery (an outgoing webhook), not a person's link. */
export function isTeamSpiritDelivery(ctx: IWebhookFunctions): boolean {
	return typeof ctx.getHeaderData()['x-teamspirit-event'] === 'string';
}

/** Handles a TeamSpirit delivery (a reply that may answer the wait message): 200, always. */
export async function answerFromReply(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	ctx.getResponseObject().status(200).end();
	return { noWebhookResponse: true };
}

/** After the wait message is posted: registers for replies when the option is on. */
export async function registerReplies(ctx: IExecuteFunctions, wait: WaitMessage): Promise<void> {
	void ctx;
	void wait;
}
