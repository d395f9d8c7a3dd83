import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Locator values already resolved in this node run, per parameter and item: the router reads an
 * item's chat to schedule it (bulk sends), the operation reads it again, and resolving an
 * expression is most of the node's own work per item. Parameters and items do not change during a
 * run, and the context object is the run's.
 */
const resolvedLocators = new WeakMap<IExecuteFunctions, Map<string, string>>();

/** The value of a resource locator parameter, trimmed; an empty one is an error naming the item. */
export function getLocatorValue(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): string {
	let resolved = resolvedLocators.get(ctx);
	if (!resolved) resolvedLocators.set(ctx, (resolved = new Map()));
	const key = `${itemIndex}:${name}`;
	const known = resolved.get(key);
	if (known !== undefined) return known;
	const value = String(
		ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) ?? '',
	).trim();
	if (value) resolved.set(key, value);
	if (!value) {
		throw new NodeOperationError(ctx.getNode(), `${label} is empty on item ${itemIndex}`, {
			itemIndex,
			description: `Choose a ${label.toLowerCase()} from the list or enter its ID.`,
		});
	}
	return value;
}

/** A required string parameter; empty or whitespace-only is an error naming the item. */
export function getRequiredString(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): string {
	const value = String(ctx.getNodeParameter(name, itemIndex, '') ?? '');
	if (!value.trim()) {
		throw new NodeOperationError(ctx.getNode(), `${label} is empty on item ${itemIndex}`, {
			itemIndex,
			description: `Enter a ${label.toLowerCase()}, or map one from the input with an expression.`,
		});
	}
	return value;
}

/** Path segment for an ID typed or mapped by a user. */
export function segment(id: string): string {
	return encodeURIComponent(id);
}

/** An ISO-8601 date-time from a dateTime parameter, or an error naming the item. */
export function toIsoDate(
	ctx: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
	label: string,
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const date = new Date(String(value));
	if (Number.isNaN(date.getTime())) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${label} "${String(value)}" is not a date on item ${itemIndex}`,
			{
				itemIndex,
				description: 'Use an ISO-8601 date and time, e.g. 2026-12-01T17:00:00Z.',
			},
		);
	}
	return date.toISOString();
}

/** Drops undefined, null and empty-string fields. */
export function compact(object: IDataObject): IDataObject {
	return Object.fromEntries(
		Object.entries(object).filter(([, v]) => v !== undefined && v !== null && v !== ''),
	);
}

/** `undefined` when Return All is on (read every page), else the Limit. */
export function getListLimit(ctx: IExecuteFunctions, itemIndex: number): number | undefined {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as boolean;
	return returnAll ? undefined : (ctx.getNodeParameter('limit', itemIndex, 50) as number);
}

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Whether `text` mentions `@username` as the contract defines it: not preceded by a letter, digit
 * or `_`, and not followed by a letter, digit, `_`, `-` or a `.` that continues the name.
 */
export function mentions(text: unknown, username: string): boolean {
	if (typeof text !== 'string' || !username) return false;
	const pattern = new RegExp(
		`(?<![\\p{L}\\p{N}_])@${escapeRegExp(username)}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}_-])`,
		'iu',
	);
	return pattern.test(text);
}
