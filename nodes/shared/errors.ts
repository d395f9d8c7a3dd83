import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * The one way the nodes rethrow an error: a NodeApiError or NodeOperationError is kept as it is
 * (message, description, httpCode, context such as sentMessageIds) and gets the item index when it
 * has none; anything else becomes a NodeOperationError of this node. Without an item index (the
 * trigger's webhook hooks) the error is only made this node's.
 */
export function withItemIndex(
	node: INode,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (itemIndex !== undefined) error.context.itemIndex ??= itemIndex;
		return error;
	}
	const cause = error instanceof Error ? error : new Error(String(error));
	return new NodeOperationError(node, cause, { itemIndex });
}
