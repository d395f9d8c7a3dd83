/**
 * The one Markdown model (./tree.ts) and TeamSpirit markdown, read (./read.ts) and written
 * (./write.ts). Each channel converts to and from the tree in its own folder
 * (`channels/<name>/format.ts`).
 */
export { plainOf, linkText, quoted, type MarkdownNode, type Style } from './tree';
export { readMarkdown } from './read';
export {
	breakMentions,
	MENTION_BREAK,
	plainToMarkdown,
	writeMarkdown,
	type ToMarkdownOptions,
} from './write';
export { emptyStyles, languageOf, styledTree, urlOf, type Styles } from './styled';
export { charAt, charBefore, isPunctuation, isSpace } from './chars';
