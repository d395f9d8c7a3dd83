import type { INodeParameters, NodeParameterValue } from 'n8n-workflow';

/**
 * The key under which n8n (2.41 and later) looks for a webhook description's native resolvers
 * (`WEBHOOK_RESOLVERS` of n8n-workflow: a registered symbol, so older n8n versions ignore it).
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

/** A webhook description field that depends on the node's parameters. */
export interface WebhookField {
	/** The expression the editor (and an n8n without resolvers) evaluates. */
	template: string;
	/** The same rule as a function of the node's parameters: must return what `template` does. */
	resolve: (parameters: INodeParameters) => NodeParameterValue | undefined;
}

/**
 * Webhook description fields (`httpMethod`, `responseMode`, …) as expressions plus resolvers, to
 * spread into a webhook description. n8n evaluates an expression of a webhook description on every
 * request, in a V8 isolate (measured: most of what the Chat Channel Trigger cost more per request
 * than n8n's Telegram Trigger). With a resolver, for a node whose parameters are plain values, it
 * reads the field without its expression engine, as its own Webhook node does.
 */
export function webhookFields<K extends string>(
	fields: Record<K, WebhookField>,
): Record<K, string> & { [resolvers: symbol]: unknown } {
	const templates = {} as Record<K, string>;
	for (const [field, { template }] of Object.entries(fields) as Array<[K, WebhookField]>) {
		templates[field] = template;
	}
	return { ...templates, [WEBHOOK_RESOLVERS]: fields };
}
