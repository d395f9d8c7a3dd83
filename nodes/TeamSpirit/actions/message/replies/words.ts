/**
 * What a reply in TeamSpirit says to an approval request (pure): approve, decline, or neither.
 * Compared case-insensitively, trimmed, without trailing punctuation, skin tones or emoji variation
 * selectors, so "OK!", "👍🏽" and " Approve " all count.
 */

const APPROVE_WORDS = ['yes', 'approve', 'approved', 'ok', '👍', '✅', 'да', 'ок', 'согласовано'];
const DECLINE_WORDS = ['no', 'decline', 'declined', 'reject', '👎', '❌', 'нет', 'отклонить'];

/** The text as it is compared: lower case, single spaces, no trailing `.!`, no emoji modifiers. */
export function normalizeReply(text: string): string {
	return text
		.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu, '')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim()
		.replace(/[.!]+$/, '')
		.trim();
}

export interface ApprovalWords {
	approveLabel: string;
	disapproveLabel: string;
	/** `single`: only approving is possible (n8n's "Approve Only"); a decline word is not understood. */
	approvalType: 'single' | 'double';
}

/** true = approved, false = declined, undefined = not understood. */
export function approvalFromText(text: string, words: ApprovalWords): boolean | undefined {
	const said = normalizeReply(text);
	if (!said) return undefined;
	const approve = [normalizeReply(words.approveLabel), ...APPROVE_WORDS];
	if (approve.includes(said)) return true;
	if (words.approvalType !== 'double') return undefined;
	const decline = [normalizeReply(words.disapproveLabel), ...DECLINE_WORDS];
	return decline.includes(said) ? false : undefined;
}

/** How to answer, for the notice after a reply that was not understood. */
export function approvalHint(words: ApprovalWords): string {
	const approve = `“${words.approveLabel}” (or yes, ok, 👍)`;
	if (words.approvalType !== 'double') return `To approve, reply to the request with ${approve}.`;
	return (
		`To answer, reply to the request with ${approve} to approve, ` +
		`or “${words.disapproveLabel}” (or no, 👎) to decline.`
	);
}

/** The last line of a wait message answered only by reply: what to reply, instead of links. */
export function replyInstruction(words: ApprovalWords | undefined): string {
	if (!words) return 'Reply to this message with your answer.';
	const approve = `“${words.approveLabel}” (or yes, ok, 👍) to approve`;
	if (words.approvalType !== 'double') return `Reply to this message with ${approve}.`;
	return `Reply to this message with ${approve}, or “${words.disapproveLabel}” (or no, 👎) to decline.`;
}
