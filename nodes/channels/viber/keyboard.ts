/**
 * The Chat Channel's inline buttons as a Viber keyboard (shown under the conversation with the
 * message): a button with callback data is a `reply` button (a tap sends its ActionBody as the
 * customer's message), a button with a URL an `open-url` button. Viber's keyboard is six columns
 * wide: a row of n buttons gives each 6/n columns. Which replies are the bot's buttons travels in
 * the message's `tracking_data`, which Viber passes back with the customer's next message, so a
 * tap is recognised (`callbackData`) and a typed text is not. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { InlineButton } from '../types';
import { VIBER_LIMITS } from './transport';

const TRACKING_PREFIX = 'n8n-buttons:';
const COLUMNS = 6;

export interface ViberKeyboard {
	keyboard: IDataObject;
	/** The reply buttons' ActionBody values, as tracking data; undefined when there are none. */
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
	const replies: string[] = [];
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
			const body = button.callbackData || button.text;
			replies.push(body);
			return { ...key, ActionType: 'reply', ActionBody: body };
		}),
	);
	const tracking = replies.length ? `${TRACKING_PREFIX}${JSON.stringify(replies)}` : undefined;
	return {
		keyboard: { Type: 'keyboard', DefaultHeight: false, Buttons: keys },
		...(tracking && tracking.length <= VIBER_LIMITS.maxTrackingData
			? { trackingData: tracking }
			: {}),
	};
}

/** The reply buttons' ActionBody values a message's tracking data names ([] for anything else). */
export function buttonsIn(trackingData: string): string[] {
	if (!trackingData.startsWith(TRACKING_PREFIX)) return [];
	try {
		const list = JSON.parse(trackingData.slice(TRACKING_PREFIX.length)) as unknown;
		return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
	} catch {
		return [];
	}
}
