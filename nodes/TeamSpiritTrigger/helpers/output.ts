/** The output item of a delivery: the event's object, and its main fields at the top for mapping. */
import type { IDataObject } from 'n8n-workflow';

import type { Delivery } from './delivery';
import { conversationItem } from './conversation';
import { chosenChanges, type FilterSettings } from './filters';

/** The items a delivery starts the workflow with: one per event; Conversation Changed, one per change. */
export function toOutputItems(delivery: Delivery, settings: FilterSettings): IDataObject[] {
	if (delivery.event === 'chat.updated')
		return chosenChanges(delivery, settings).map((change) => conversationItem(delivery, change));
	return [toOutputJson(delivery)];
}

export function toOutputJson(delivery: Delivery): IDataObject {
	const { event, data } = delivery;
	const base: IDataObject = {
		event,
		eventId: delivery.eventId ?? null,
		deliveryId: delivery.deliveryId ?? null,
		createdAt: delivery.createdAt ?? null,
		chatId: delivery.chatId ?? null,
	};
	if (event.startsWith('message.')) {
		return {
			...base,
			messageId: data.id ?? null,
			senderId: data.senderId ?? null,
			text: data.text ?? '',
			format: data.format ?? null,
			replyToId: data.replyToId ?? null,
			files: Array.isArray(data.files) ? data.files : [],
			editedAt: data.editedAt ?? null,
			// the chat (id, title, externalKey, metadata): a customer conversation's reply needs no lookup
			chat: data.chat ?? null,
			message: data,
		};
	}
	if (event === 'chat.typing') {
		const user = (data.user ?? {}) as IDataObject;
		return {
			...base,
			userId: data.userId ?? null,
			userName: user.name ?? null,
			username: user.username ?? null,
			until: data.until ?? null,
			// the chat (id, title, externalKey, metadata): Send to Customer needs no lookup
			chat: data.chat ?? null,
			typing: data,
		};
	}
	if (event.startsWith('chat.')) {
		const user = (data.user ?? {}) as IDataObject;
		return {
			...base,
			userId: data.userId ?? null,
			userName: user.name ?? null,
			username: user.username ?? null,
			actorId: data.actorId ?? null,
			member: data,
		};
	}
	if (event === 'user.status_changed') {
		return {
			...base,
			userId: data.userId ?? null,
			presence: data.status ?? null,
			statusText: data.text ?? null,
			until: data.until ?? null,
			status: data,
		};
	}
	return { ...base, data };
}
