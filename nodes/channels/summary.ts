/**
 * Ready-made text fields on every trigger item, so a workflow built in the editor can say what
 * arrived with a plain `{{ $json.summary }}` instead of JavaScript over `attachments`.
 */
import type { ChannelAttachment, ChannelMessage } from './types';

function describe(attachment: ChannelAttachment): string {
	if (attachment.binaryProperty)
		return [attachment.type, attachment.mimeType, 'received'].filter(Boolean).join(' ');
	if (attachment.fileId) return `${attachment.type} not downloaded`;
	return attachment.type;
}

/**
 * `attachmentsText`: each attachment in a few words ("photo image/png received, document not
 * downloaded"), or "". `summary`: the text, followed by the attachments in brackets
 * ("hello (+ photo image/png received)"), or only the attachments when there is no text.
 */
export function addSummary(message: ChannelMessage): ChannelMessage {
	const attachmentsText = message.attachments.map(describe).join(', ');
	const text = message.text ?? '';
	message.attachmentsText = attachmentsText;
	message.summary =
		text && attachmentsText ? `${text} (+ ${attachmentsText})` : text || attachmentsText;
	return message;
}
