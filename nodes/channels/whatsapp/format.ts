/**
 * WhatsApp's own markup (`*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```mono``` ````) and
 * TeamSpirit markdown (nodes/shared/markdown.ts), both ways.
 */
import {
	blocksOf,
	charAt,
	charBefore,
	emptyStyles,
	inlinePlain,
	isPunctuation,
	isSpace,
	linkText,
	quoted,
	styledToMarkdown,
	type Emphasis,
	type Inline,
	type ToMarkdownOptions,
} from '../../shared/markdown';

type WhatsAppStyle = { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean };
const WHATSAPP_MARKERS: Record<string, Emphasis> = { '*': 'bold', _: 'italic', '~': 'strike' };

/** Splits WhatsApp text into styled pieces (WhatsApp's marker rules). */
function readWhatsApp(
	s: string,
	style: WhatsAppStyle,
	top: boolean,
	out: Array<{ text: string; style: WhatsAppStyle; pre?: boolean }>,
): void {
	let plain = '';
	const flush = () => {
		if (plain) out.push({ text: plain, style });
		plain = '';
	};
	let i = 0;
	while (i < s.length) {
		const c = s[i];
		const marker = s.startsWith('```', i)
			? '```'
			: c === '`' || WHATSAPP_MARKERS[c]
				? c
				: undefined;
		const before = charBefore(s, i);
		const block = marker === '```';
		if (marker && (isSpace(before) || isPunctuation(before)) && (block || !isSpace(s[i + 1]))) {
			const from = i + marker.length;
			let close = -1;
			for (let j = from + 1; j < s.length; j++) {
				if (!block && s[j] === '\n') break;
				if (!s.startsWith(marker, j) || (!block && isSpace(s[j - 1]))) continue;
				const after = charAt(s, j + marker.length);
				if (isSpace(after) || isPunctuation(after)) {
					close = j;
					break;
				}
			}
			const content = s.slice(from, close);
			if (close > from && content.trim()) {
				flush();
				if (marker === '```' || marker === '`') {
					const pre =
						top &&
						block &&
						content.includes('\n') &&
						(i === 0 || s[i - 1] === '\n') &&
						(close + 3 === s.length || s[close + 3] === '\n');
					const code = pre ? content.replace(/^\n/, '').replace(/\n$/, '') : content;
					out.push({ text: code, style: { ...style, code: true }, pre });
				} else {
					readWhatsApp(content, { ...style, [WHATSAPP_MARKERS[marker]]: true }, false, out);
				}
				i = close + marker.length;
				continue;
			}
		}
		plain += c;
		i++;
	}
	flush();
}

/** A WhatsApp message with WhatsApp's own formatting as TeamSpirit markdown. */
export function whatsappToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	const pieces: Array<{ text: string; style: WhatsAppStyle; pre?: boolean }> = [];
	readWhatsApp(source, {}, true, pieces);
	const plain = pieces.map((piece) => piece.text).join('');
	const st = emptyStyles(plain.length);
	let k = 0;
	for (const piece of pieces) {
		for (let j = 0; j < piece.text.length; j++, k++) {
			st.bold[k] = !!piece.style.bold;
			st.italic[k] = !!piece.style.italic;
			st.strike[k] = !!piece.style.strike;
			st.code[k] = !!piece.style.code && !piece.pre;
			st.pre[k] = piece.pre ? '' : undefined;
		}
	}
	return styledToMarkdown(plain, st, options);
}

/** `marker` around the text, spaces at either end kept outside (WhatsApp reads no marker there). */
function around(marker: string, inner: string): string {
	const m = /^(\s*)([\s\S]*?)(\s*)$/u.exec(inner);
	if (!m || !m[2]) return inner;
	return `${m[1]}${marker}${m[2]}${marker}${m[3]}`;
}

function inlineWhatsApp(nodes: Inline[]): string {
	return nodes
		.map((node) => {
			switch (node.type) {
				case 'text':
					return node.text;
				case 'code':
					return node.text ? `\`${node.text}\`` : '';
				case 'bold':
					return around('*', inlineWhatsApp(node.children));
				case 'italic':
					return around('_', inlineWhatsApp(node.children));
				case 'strike':
					return around('~', inlineWhatsApp(node.children));
				case 'link':
					return linkText(inlinePlain(node.children), node.url);
			}
			return '';
		})
		.join('');
}

/** TeamSpirit markdown with WhatsApp's formatting: `*bold*`, `_italic_`, `~strike~`, code. */
export function markdownToWhatsApp(markdown: string): string {
	return blocksOf(markdown)
		.map((block) => {
			if (block.type === 'pre') return block.text ? `\`\`\`${block.text}\`\`\`` : '';
			const text = inlineWhatsApp(block.children);
			return block.type === 'quote' ? quoted(text) : text;
		})
		.join('\n');
}
