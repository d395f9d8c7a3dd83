/**
 * A person's answer after Meta's 24-hour window (Messenger and Instagram Direct). Meta allows
 * automated messages within 24 hours of the customer's last message; for 7 days, a person may
 * still answer with the HUMAN_AGENT tag (the app needs Meta's Human Agent permission, and the tag
 * is for people only: Meta's message tag policy forbids automated messages under it).
 *
 * A send by a person (`SendContext.byPerson`: an operator's message through Send to Customer)
 * goes as RESPONSE first; when Meta refuses it for the window it goes again once with the tag. A
 * refusal means Meta accepted nothing, so the second attempt sends no duplicate. Not every
 * operator message is tagged: within 24 hours RESPONSE is what Meta asks for, and an app without
 * the Human Agent permission could then not answer at all.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SendContext } from '../types';
import type { GraphApi } from './graph';
import { graphErrorIn } from './graph';

const HUMAN_AGENT: IDataObject = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };

/** Meta's refusal of a send for the window (the channel's subcode, or its message). */
function windowRefusal(api: GraphApi, error: unknown): boolean {
	const graph = graphErrorIn(error);
	if (!graph) return false;
	return (
		(api.windowSubcodes ?? []).includes(graph.error_subcode ?? -1) ||
		/outside of allowed window/i.test(graph.message ?? '')
	);
}

/** What the operator reads when even the tag was refused. */
function forOperators(api: GraphApi, error: unknown): unknown {
	const graph = graphErrorIn(error);
	if (!graph) return error;
	const target = error as { description?: string | null };
	if (windowRefusal(api, error)) {
		target.description =
			`The customer last wrote more than 7 days ago: ${api.label} lets no one answer now, not ` +
			'even a person (Meta allows answers for 24 hours, and a person’s answers for 7 days). ' +
			'The customer has to write first; their next message opens the conversation again.';
	} else if (graph.code === 10 || graph.code === 200) {
		target.description =
			`The customer last wrote more than 24 hours ago. ${api.label} then takes only a ` +
			'person’s answer (for up to 7 days, with Meta’s Human Agent tag), and this Meta app does ' +
			'not have the Human Agent permission. Ask whoever manages the Meta app to request it ' +
			'(App Review → Permissions and Features → Human Agent); until then, answer within 24 ' +
			'hours of the customer’s message.';
	}
	return error;
}

/**
 * Sends one message with `messaging` (RESPONSE, or what the node's Messaging Type says); a
 * person's RESPONSE refused for the 24-hour window goes again once with the HUMAN_AGENT tag.
 */
export async function sendAsPersonMay<T>(
	call: SendContext,
	api: GraphApi,
	messaging: IDataObject,
	send: (messaging: IDataObject) => Promise<T>,
): Promise<T> {
	if (!call.byPerson || messaging.messaging_type !== 'RESPONSE') return await send(messaging);
	let refusal: unknown;
	try {
		return await send(messaging);
	} catch (error) {
		refusal = error;
	}
	if (!windowRefusal(api, refusal)) throw refusal;
	try {
		return await send(HUMAN_AGENT);
	} catch (error) {
		throw forOperators(api, error);
	}
}
