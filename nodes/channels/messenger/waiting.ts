/**
 * A Send and Wait question on Messenger: quick replies carrying the signed links
 * (../meta/quickReplies.ts), relayed by the Chat Channel Trigger (../meta/relay.ts).
 */
import type { WaitPrompt, WaitQuestion } from '../types';
import { quickReplyWaitPrompt } from '../meta/quickReplies';
import { MESSENGER_LIMITS } from './transport';

export function messengerWaitPrompt(question: WaitQuestion): WaitPrompt {
	return quickReplyWaitPrompt(question, MESSENGER_LIMITS.maxQuickReplies);
}
