/**
 * WhatsApp (Twilio) text and TeamSpirit markdown: WhatsApp's own markup, read and written by
 * nodes/shared/markdown/whatsapp.ts (the same markup on every WhatsApp channel).
 */
import type { ToMarkdownOptions } from '../../shared/markdown';
import { markdownToWhatsAppMarkup, whatsappMarkupToMarkdown } from '../../shared/markdown/whatsapp';

/** A WhatsApp message with WhatsApp's own formatting as TeamSpirit markdown. */
export function whatsappToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	return whatsappMarkupToMarkdown(text, options);
}

/** TeamSpirit markdown with WhatsApp's formatting: `*bold*`, `_italic_`, `~strike~`, code. */
export function markdownToWhatsApp(markdown: string): string {
	return markdownToWhatsAppMarkup(markdown);
}
