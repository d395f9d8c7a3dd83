import type { INodeProperties } from 'n8n-workflow';

/**
 * The canvas subtitle of a resource/operation node as an n8n expression: each operation's
 * `action` label (a sentence such as "Send a message to a chat"), looked up by
 * `<resource>:<operation>`, so the canvas never shows raw values or "undefined".
 * `prefix` is an expression fragment (e.g. the channel's name) put before it with ": ".
 */
export function operationSubtitle(properties: INodeProperties[], prefix?: string): string {
	const labels: Record<string, string> = {};
	for (const property of properties) {
		if (property.name !== 'operation' || !Array.isArray(property.options)) continue;
		const resources = (property.displayOptions?.show?.resource ?? []) as string[];
		for (const option of property.options) {
			if (!('value' in option) || typeof option.value !== 'string') continue;
			const label = ('action' in option && option.action) || option.name;
			for (const resource of resources) labels[`${resource}:${option.value}`] ??= label;
		}
	}
	const operation = `(${JSON.stringify(labels)}[$parameter["resource"] + ":" + $parameter["operation"]] || "")`;
	return prefix ? `={{ ${prefix} + ": " + ${operation} }}` : `={{ ${operation} }}`;
}

/** An expression fragment that maps an options parameter's value to its display name. */
export function optionName(parameter: string, options: Array<{ name: string; value: unknown }>): string {
	const names = Object.fromEntries(options.map((option) => [String(option.value), option.name]));
	return `(${JSON.stringify(names)}[$parameter["${parameter}"]] || "")`;
}

/** A multiOptions parameter's chosen values as their display names, comma-separated. */
export function optionNames(parameter: string, options: Array<{ name: string; value: unknown }>): string {
	const names = Object.fromEntries(options.map((option) => [String(option.value), option.name]));
	return `={{ [].concat($parameter["${parameter}"] || []).map((value) => (${JSON.stringify(names)}[value] || value)).join(", ") }}`;
}
