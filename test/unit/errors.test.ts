import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../../nodes/shared/errors';

const node: INode = {
	id: 'n1',
	name: 'Chat Channel',
	type: 'n8n-nodes-teamspirit.chatChannel',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('withItemIndex', () => {
	it('keeps an API error with its message, description, HTTP code and context, and adds the item index', () => {
		const error = new NodeApiError(node, { message: 'Too Many Requests' } as JsonObject, {
			message: 'The channel refused the message',
			description: 'retry later',
			httpCode: '429',
		});
		error.context.sentMessageIds = [{ id: 1 }];
		const wrapped = withItemIndex(node, error, 3);
		expect(wrapped).toBe(error);
		expect(wrapped).toBeInstanceOf(NodeApiError);
		expect(wrapped).toMatchObject({
			message: 'The channel refused the message',
			description: 'retry later',
			httpCode: '429',
		});
		expect(wrapped.context).toMatchObject({ itemIndex: 3, sentMessageIds: [{ id: 1 }] });
	});

	it('keeps an operation error and its description, and an item index it already had', () => {
		const error = new NodeOperationError(node, 'Bad chat ID', {
			description: 'use a number',
			itemIndex: 1,
		});
		const wrapped = withItemIndex(node, error, 4);
		expect(wrapped).toBe(error);
		expect(wrapped.description).toBe('use a number');
		expect(wrapped.context.itemIndex).toBe(1);
	});

	it('wraps anything else in an operation error of the node with the item index', () => {
		const wrapped = withItemIndex(node, new TypeError('boom'), 2);
		expect(wrapped).toBeInstanceOf(NodeOperationError);
		expect(wrapped.message).toBe('boom');
		expect(wrapped.node).toBe(node);
		expect(wrapped.context.itemIndex).toBe(2);
		expect(withItemIndex(node, 'text thrown', 0).message).toBe('text thrown');
	});

	it('without an item index only makes the error the node’s', () => {
		const wrapped = withItemIndex(node, new Error('down'));
		expect(wrapped).toBeInstanceOf(NodeOperationError);
		expect(wrapped.context.itemIndex).toBeUndefined();
	});
});
