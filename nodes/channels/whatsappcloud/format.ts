/**
 * WhatsApp (Cloud API) text and TeamSpirit markdown: WhatsApp's own markup (`*bold*`, `_italic_`,
 * `~strike~`, `` `code` ``, ```` ```mono``` ````), read and written by
 * nodes/shared/markdown/whatsapp.ts, the same for every WhatsApp channel. Pure.
 */
import type { ToMarkdownOptions } from '../../shared/markdown';
import { markdownToWhatsAppMarkup, whatsappMarkupToMarkdown } from '../../shared/markdown/whatsapp';

/** A customer's WhatsApp text with its formatting as TeamSpirit markdown. */
export function cloudTextToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	return whatsappMarkupToMarkdown(text, options);
}

/** An operator's TeamSpirit markdown as WhatsApp text with WhatsApp's formatting. */
export function markdownToCloudText(markdown: string): string {
	return markdownToWhatsAppMarkup(markdown);
}
