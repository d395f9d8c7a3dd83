/**
 * A Send and Wait question on Instagram: quick replies carrying the signed links
 * (../meta/quickReplies.ts), relayed by the Chat Channel Trigger (../meta/relay.ts).
 */
import type { WaitPrompt, WaitQuestion } from '../types';
import { quickReplyWaitPrompt } from '../meta/quickReplies';
import { INSTAGRAM_LIMITS } from './transport';

export function instagramWaitPrompt(question: WaitQuestion): WaitPrompt {
	return quickReplyWaitPrompt(question, INSTAGRAM_LIMITS.maxQuickReplies);
}
