/**
 * Typing on the Website channel (README "Typing and business hours"), operators → visitor
 * (`operatorTyping`, the adapter's `sendAction`): the transcript's `metadata.typingUntil` becomes
 * now + 6 s, by a conditional write that never moves it back; the long poll shows it to the widget.
 */
import { updateTranscript, type TranscriptChat } from './transcript';
import type { WebsiteContext } from './transport';

/** How long the widget shows an operator typing after one typing event. */
const OPERATOR_TYPING_MS = 6000;

/**
 * An operator types: the widget shows it until now + 6 s. A conditional write of the transcript's
 * metadata (`If-Match`; another write first: computed again on the chat as it is then), made only
 * when it moves `typingUntil` later. Resolves the transcript as it is now.
 */
export async function operatorTyping(
	ctx: WebsiteContext,
	chat: TranscriptChat,
	itemIndex?: number,
	now = Date.now(),
): Promise<TranscriptChat> {
	const until = now + OPERATOR_TYPING_MS;
	return await updateTranscript(
		ctx,
		chat,
		(metadata) => {
			const current = Date.parse(String(metadata.typingUntil ?? ''));
			if (Number.isFinite(current) && current >= until) return undefined;
			return { ...metadata, typingUntil: new Date(until).toISOString() };
		},
		itemIndex,
	);
}
