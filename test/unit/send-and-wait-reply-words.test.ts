/** Replies to a Send and Wait request in TeamSpirit (nodes/TeamSpirit/actions/message/replies/): what they say, who is listed. */
import { parseApprovers } from '../../nodes/TeamSpirit/actions/message/replies/senders';
import {
	approvalFromText,
	approvalHint,
	normalizeReply,
} from '../../nodes/TeamSpirit/actions/message/replies/words';

const double = { approveLabel: 'Approve', disapproveLabel: 'Decline', approvalType: 'double' } as const;

describe('what a reply says to an approval request', () => {
	it.each(['yes', 'YES', ' Approve ', 'approved', 'ok', 'OK!', '👍', '👍🏽', '✅', '✅️', 'Да', 'ок', 'Согласовано.'])(
		'"%s" approves',
		(text) => expect(approvalFromText(text, double)).toBe(true),
	);

	it.each(['no', 'No.', 'decline', 'DECLINED', 'reject', '👎', '👎🏻', '❌', 'нет', 'Отклонить'])(
		'"%s" declines',
		(text) => expect(approvalFromText(text, double)).toBe(false),
	);

	it.each(['', '   ', 'maybe', 'yes, but later', 'ok?', 'not ok', '🙂'])('"%s" is not understood', (text) =>
		expect(approvalFromText(text, double)).toBeUndefined(),
	);

	it('the node’s own labels count, in any case and spacing', () => {
		const labels = { approveLabel: 'Ship  it', disapproveLabel: 'Hold', approvalType: 'double' } as const;
		expect(approvalFromText('ship it', labels)).toBe(true);
		expect(approvalFromText('HOLD!', labels)).toBe(false);
		// the standard words still count beside the labels
		expect(approvalFromText('yes', labels)).toBe(true);
		expect(approvalFromText('no', labels)).toBe(false);
	});

	it('with Approve Only, a decline is not an answer (and the hint says only how to approve)', () => {
		const single = { ...double, approvalType: 'single' } as const;
		expect(approvalFromText('no', single)).toBeUndefined();
		expect(approvalFromText('Decline', single)).toBeUndefined();
		expect(approvalFromText('ok', single)).toBe(true);
		expect(approvalHint(single)).toContain('“Approve”');
		expect(approvalHint(single)).not.toContain('Decline');
		expect(approvalHint(double)).toContain('“Decline”');
	});

	it('normalises case, spaces, trailing punctuation and emoji modifiers', () => {
		expect(normalizeReply('  Looks   GOOD!! ')).toBe('looks good');
		expect(normalizeReply('👍🏿')).toBe('👍');
	});
});

describe('the Approvers option', () => {
	it('takes usernames and ids, comma- or space-separated or as a list, without @', () => {
		expect(parseApprovers('anna, @bob u_1 ;carol')).toEqual(['anna', 'bob', 'u_1', 'carol']);
		expect(parseApprovers(['@anna', ' u_2 ', ''])).toEqual(['anna', 'u_2']);
		expect(parseApprovers('')).toEqual([]);
		expect(parseApprovers(undefined)).toEqual([]);
	});
});
