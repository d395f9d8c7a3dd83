/**
 * The Chat Channel's inline buttons as a Viber keyboard (shown in place of the customer's keyboard
 * with the message): a button with callback data is a `reply` button (a tap sends its ActionBody as
 * the customer's message: its label, so the customer sees what they tapped), a button with a URL an
 * `open-url` button. Viber's keyboard is six columns wide: a row of n buttons gives each 6/n
 * columns. Which reply means which callback data travels in the message's `tracking_data`, which
 * Viber passes back with the customer's next message, so a tap carries its `callbackData`. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { InlineButton } from '../types';
import { VIBER_LIMITS } from './transport';

const TRACKING_PREFIX = 'n8n-buttons:';
const COLUMNS = 6;

export interface ViberKeyboard {
	keyboard: IDataObject;
	/** The reply buttons' ActionBody → callback data, as tracking data; undefined when there are none. */
	trackingData?: string;
}

/** Why these buttons cannot be a Viber keyboard, or undefined. */
export function keyboardProblem(buttons: InlineButton[][]): string | undefined {
	const all = buttons.flat().filter((b) => b.text);
	if (all.length > VIBER_LIMITS.maxButtons)
		return `Viber shows at most ${VIBER_LIMITS.maxButtons} buttons; the message has ${all.length}`;
	if (buttons.some((row) => row.length > COLUMNS))
		return `A Viber keyboard row holds at most ${COLUMNS} buttons`;
	const long = all.find(
		(b) => (b.url ?? b.callbackData ?? b.text).length > VIBER_LIMITS.maxActionBody,
	);
	if (long) return `The button "${long.text.slice(0, 40)}" carries more than 2048 characters`;
	return undefined;
}

/** The keyboard of these buttons; undefined when there are none. */
export function keyboardOf(buttons: InlineButton[][] | undefined): ViberKeyboard | undefined {
	const rows = (buttons ?? []).map((row) => row.filter((b) => b.text)).filter((row) => row.length);
	if (!rows.length) return undefined;
	const labels = rows
		.flat()
		.filter((b) => !b.url)
		.map((b) => b.text);
	const replies: Record<string, string> = {};
	const keys = rows.flatMap((row) =>
		row.map((button) => {
			const columns = Math.max(1, Math.floor(COLUMNS / row.length));
			const key: IDataObject = {
				Columns: columns,
				Rows: 1,
				Text: button.text,
				TextSize: 'regular',
			};
			if (button.url) {
				return { ...key, ActionType: 'open-url', ActionBody: button.url, OpenURLType: 'external' };
			}
			const data = button.callbackData || button.text;
			// the label, unless two buttons share it: then the data tells them apart
			const unique = labels.filter((label) => label === button.text).length === 1;
			const body = unique ? button.text : data;
			replies[body] = data;
			return { ...key, ActionType: 'reply', ActionBody: body };
		}),
	);
	const tracking = Object.keys(replies).length
		? `${TRACKING_PREFIX}${JSON.stringify(replies)}`
		: undefined;
	return {
		keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: keys },
		...(tracking && tracking.length <= VIBER_LIMITS.maxTrackingData
			? { trackingData: tracking }
			: {}),
	};
}

/** The callback data of a reply, when the tracking data says it is one of the bot's buttons. */
export function callbackOf(trackingData: string, text: string): string | undefined {
	if (!trackingData.startsWith(TRACKING_PREFIX)) return undefined;
	try {
		const replies = JSON.parse(trackingData.slice(TRACKING_PREFIX.length)) as unknown;
		if (!replies || typeof replies !== 'object' || Array.isArray(replies)) return undefined;
		const data = (replies as Record<string, unknown>)[text];
		return typeof data === 'string' ? data : undefined;
	} catch {
		return undefined;
	}
}
