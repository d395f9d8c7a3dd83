/**
 * The common `webhook()` of Send and Wait for Response. n8n has checked the link's signature
 * before this runs (waiting-webhooks.js: a changed or unsigned link gets n8n's 401 page and never
 * reaches the node). Approval links answer on GET, except for link previews; the forms are shown
 * on GET and answered on POST. Exactly one answer counts: the node's `claim` is a conditional
 * write outside this process (a keyed message in TeamSpirit, n8n's deduplication store); the
 * winner resumes the execution, everyone else gets the "already answered" page.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { Answer, FormField } from './answer';
import { TEXT_FIELD, answerJson, approvalOf, formFieldsOf, readForm } from './answer';
import { approvalLabels, responseTypeOf } from './links';
import {
	alreadyAnsweredPage,
	formPage,
	pageHeaders,
	previewPage,
	recordedPage,
	sendPage,
	type FormPage,
} from './pages';

/** The node's side of the one-answer rule. */
export interface AnswerClaim {
	/** How the request was answered ("✅ Approved"), or undefined while it is open. */
	answered(): Promise<string | undefined>;
	/** The conditional write: won, or lost to the answer that counts (its outcome line). */
	claim(answer: Answer): Promise<{ won: true } | { won: false; outcome: string }>;
	/**
	 * The winner's page goes out only after n8n resumed the execution with its answer: n8n's own
	 * conditional resume (`UPDATE … WHERE status = 'waiting'`) decides between answers at the same
	 * moment (the loser gets n8n's error). For a node whose claim cannot be written from a webhook.
	 */
	respondsAfterResume?: boolean;
}

/**
 * Fetchers that open links to show a preview (chat apps, crawlers), HTTP clients of programs
 * (Node's fetch says "node") and requests without a user agent: an approval link they open must
 * approve nothing (as n8n's own isbot check). They get a page with the answer as a button.
 * A browser ("Mozilla/5.0 (…) … Chrome/ | Safari/ | Firefox/") is a person unless it names a
 * known preview fetcher: in-app browsers (Telegram-Android/…, Teams/… Electron/…) and phones
 * whose model ends in "bot" (CUBOT X30) are people.
 */
const PREVIEW_FETCHERS =
	/telegrambot|facebookexternalhit|facebot|slackbot|slack-imgproxy|twitterbot|whatsapp\/|discordbot|skypeuripreview|bingbot|googlebot|google-inspectiontool|linkedinbot|applebot|yandexbot|baiduspider|duckduckbot|pinterestbot|redditbot|embedly|iframely|vkshare|headlesschrome|lighthouse|teamspirit|\(compatible;[^)]*(?:bot|crawl|spider|preview)/i;
const BROWSER = /^Mozilla\/5\.0 \(.*\b(?:Chrome|Safari|Firefox)\/\d/;
const OTHER_PROGRAMS =
	/bot\b|bot\/|crawl|spider|slurp|preview|whatsapp|telegram|slack|discord|skype|curl|wget|python|go-http-client|okhttp|headless|^node\b|undici|axios|java|libwww|http-?client/i;

function isLinkPreview(userAgent: unknown): boolean {
	const agent = typeof userAgent === 'string' ? userAgent.trim() : '';
	if (!agent || PREVIEW_FETCHERS.test(agent)) return true;
	return !BROWSER.test(agent) && OTHER_PROGRAMS.test(agent);
}

const noResponse = (): IWebhookResponseData => ({ noWebhookResponse: true });

/** Runs the one-answer claim; the winner's answer becomes the node's output. */
export async function settle(
	ctx: IWebhookFunctions,
	claim: AnswerClaim,
	answer: Answer,
	extra: IDataObject = {},
): Promise<IWebhookResponseData> {
	const result = await claim.claim(answer);
	const res = ctx.getResponseObject();
	if (!result.won) {
		sendPage(res, 409, alreadyAnsweredPage(result.outcome));
		return noResponse();
	}
	const workflowData = [[{ json: answerJson(answer, extra) }]];
	if (claim.respondsAfterResume) {
		pageHeaders(res);
		return { webhookResponse: recordedPage(), workflowData };
	}
	sendPage(res, 200, recordedPage());
	return { noWebhookResponse: true, workflowData };
}

function formOf(ctx: IWebhookFunctions, fields: FormField[]): FormPage {
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const text = (name: string) => String(options[name] ?? '').trim();
	return {
		title: text('responseFormTitle'),
		description: text('responseFormDescription') || String(ctx.getNodeParameter('message', '')),
		button: text('responseFormButtonLabel') || 'Submit',
		fields,
	};
}

/** The common flow; the node supplies its claim. */
export async function sendAndWaitWebhook(
	ctx: IWebhookFunctions,
	claim: AnswerClaim,
): Promise<IWebhookResponseData> {
	const req = ctx.getRequestObject();
	const res = ctx.getResponseObject();
	const method = String(req.method).toUpperCase();
	const type = responseTypeOf(ctx);
	if (type === 'approval') {
		const approved = approvalOf(ctx.getQueryData() as IDataObject);
		if (method !== 'POST' && (method !== 'GET' || isLinkPreview(req.headers['user-agent']))) {
			const labels = approvalLabels(ctx);
			sendPage(res, 200, previewPage(approved ? labels.approve : labels.decline));
			return noResponse();
		}
		return await settle(ctx, claim, { kind: 'approval', approved });
	}
	const fields = type === 'freeText' ? [TEXT_FIELD] : formFieldsOf(ctx);
	const form = formOf(ctx, fields);
	if (method !== 'POST') {
		const outcome = await claim.answered();
		sendPage(
			res,
			outcome === undefined ? 200 : 409,
			outcome === undefined ? formPage(form) : alreadyAnsweredPage(outcome),
		);
		return noResponse();
	}
	const reading = readForm(fields, (ctx.getBodyData() ?? {}) as IDataObject);
	if (!reading.values) {
		sendPage(res, 400, formPage({ ...form, errors: reading.errors, sent: reading.sent }));
		return noResponse();
	}
	const answer: Answer =
		type === 'freeText'
			? { kind: 'freeText', text: String(reading.values[TEXT_FIELD.label]) }
			: { kind: 'customForm', fields: reading.values };
	return await settle(ctx, claim, answer);
}
