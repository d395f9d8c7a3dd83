import {
	NodeConnectionTypes,
	NodeOperationError,
	jsonParse,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { deterministicStream } from './binary';

export const MANUAL_TRIGGER_TYPE = 'n8n-nodes-base.manualTrigger';
export const ITEMS_NODE_TYPE = 'teamspiritTest.items';

/**
 * Stand-in for n8n's Manual Trigger so fixtures look like exported workflows.
 * The harness puts it on the execution stack with the run's start items as its
 * input (as n8n's own NodeTestHarness does); it emits them unchanged.
 */
export class ManualTriggerStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'When clicking "Execute workflow" (harness)',
		name: MANUAL_TRIGGER_TYPE,
		group: ['trigger'],
		version: 1,
		description: 'Starts the workflow with the start items of the harness run',
		defaults: { name: 'When clicking "Execute workflow"' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/** Parameter `binary` of the items node (one spec for all items, or one per item). */
export interface DeterministicBinarySpec {
	/** Binary property name, default `data`. */
	property?: string;
	fileName: string;
	mimeType: string;
	/** Number of bytes. */
	size: number;
	/** Content is `deterministicBytes(size, seed)`. */
	seed: number | string;
}

function parseJsonParameter<T>(value: unknown): T | undefined {
	if (value === '' || value === undefined || value === null) return undefined;
	return (typeof value === 'string' ? jsonParse<T>(value) : value) as T;
}

/**
 * Emits the items of its `items` parameter (a JSON array of json objects) and,
 * if `binary` is set, attaches deterministic binary data created from a stream
 * through `this.helpers.prepareBinaryData`, so in filesystem mode the bytes go
 * straight to disk.
 */
export class ItemsNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items (harness)',
		name: ITEMS_NODE_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Emits fixed items, optionally with deterministic binary data',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[{}]' },
			{
				displayName: 'Binary',
				name: 'binary',
				type: 'json',
				default: '',
				description:
					'{ property, fileName, mimeType, size, seed } for every item, or an array with one spec per item (an array of specs: several files on that item)',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		const items = parseJsonParameter<IDataObject[]>(this.getNodeParameter('items', 0)) ?? [];
		if (!Array.isArray(items)) {
			throw new NodeOperationError(node, 'Parameter "items" must be a JSON array of objects');
		}
		const binary = parseJsonParameter<
			DeterministicBinarySpec | Array<DeterministicBinarySpec | DeterministicBinarySpec[]>
		>(
			this.getNodeParameter('binary', 0, ''),
		);

		const output: INodeExecutionData[] = [];
		for (let index = 0; index < items.length; index++) {
			const item: INodeExecutionData = { json: items[index], pairedItem: { item: 0 } };
			const spec = Array.isArray(binary) ? binary[index] : binary;
			for (const one of spec ? [spec].flat() : []) {
				const data: IBinaryData = await this.helpers.prepareBinaryData(
					deterministicStream(one.size, one.seed),
					one.fileName,
					one.mimeType,
				);
				item.binary = { ...item.binary, [one.property ?? 'data']: data };
			}
			output.push(item);
		}
		return [output];
	}
}

export function builtInNodeTypes(): Record<string, INodeType> {
	return {
		[MANUAL_TRIGGER_TYPE]: new ManualTriggerStandIn(),
		[ITEMS_NODE_TYPE]: new ItemsNode(),
	};
}
