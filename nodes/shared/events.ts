/**
 * The event that caused an item: what both action nodes key a send by, so that two executions of
 * the same event (a delivery that reached two n8n processes, a retried execution) send once.
 *
 * An item carries its event when it is (or keeps the fields of) a trigger item of this package:
 *
 * - TeamSpirit Trigger: `event` (`message.created`, …), `eventId` and `deliveryId`; the event is
 *   `teamspirit:<eventId>` (one per event, the same in every delivery of it).
 * - Chat Channel Trigger: `channel`, `eventId` and `conversationId`; the event is
 *   `<channel>:<eventId>` (the channel's own id of the update or message, e.g.
 *   `telegram:<bot>:<update_id>`, a Twilio `MessageSid`, a Messenger `mid`).
 *
 * Other items (a Schedule Trigger's, a Code node's that happen to have an `eventId`) carry none: a
 * field called `eventId` alone is not proof that two items are the same event.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

const TEAMSPIRIT_EVENT = /^(message|chat|user)\.[a-z_]+$/;

function text(value: unknown): string | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** `teamspirit:<eventId>` or `<channel>:<eventId>` for a trigger item of this package, else undefined. */
function triggeringEvent(item: IDataObject | undefined): string | undefined {
	if (!item) return undefined;
	const eventId = text(item.eventId);
	if (!eventId) return undefined;
	if (typeof item.event === 'string' && TEAMSPIRIT_EVENT.test(item.event) && 'deliveryId' in item)
		return `teamspirit:${eventId}`;
	const channel = text(item.channel);
	if (channel && text(item.conversationId)) return `${channel}:${eventId}`;
	return undefined;
}

function runIndexOf(ctx: IExecuteFunctions, itemIndex: number): number {
	try {
		return Number(ctx.getWorkflowDataProxy(itemIndex).$runIndex) || 0;
	} catch {
		return 0;
	}
}

/**
 * The key of what one node does for one item of an event: the same in every execution of that
 * event (the workflow, the node, the event, the node's run and the item's index), different for
 * another node, another item made from the same event, or another event. Undefined when the item
 * carries no event, and in manual executions (the editor's *Execute workflow*, where the same
 * pinned or test item is run again on purpose and must send again).
 */
export function eventActionKey(
	ctx: IExecuteFunctions,
	itemIndex: number,
	action: string,
): string | undefined {
	if (ctx.getMode() === 'manual') return undefined;
	const event = triggeringEvent(ctx.getInputData()[itemIndex]?.json);
	if (!event) return undefined;
	const parts = [
		ctx.getWorkflow().id ?? '',
		ctx.getNode().id,
		event,
		runIndexOf(ctx, itemIndex),
		itemIndex,
		action,
	];
	return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}
