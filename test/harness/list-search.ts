import { LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	INode,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeType,
} from 'n8n-workflow';
import { UnexpectedError, Workflow } from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { ensureEnvironment } from './environment';
import { NodeTypes } from './node-types';

export interface ListSearchOptions {
	/** Full type name, e.g. `n8n-nodes-teamspirit.teamSpirit`. */
	type: string;
	nodeType: INodeType;
	method: string;
	credentialTypes?: ICredentialType[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The node as the editor has it (parameters, credentials). */
	node?: Partial<INode>;
	filter?: string;
	paginationToken?: string;
}

/** Calls a resource-locator search (`methods.listSearch`) as the editor does, with n8n-core's real LoadOptionsContext. */
export async function runListSearch(options: ListSearchOptions): Promise<INodeListSearchResult> {
	await ensureEnvironment();
	const search = options.nodeType.methods?.listSearch?.[options.method];
	if (!search) throw new UnexpectedError(`No listSearch method ${options.method}`);
	const node: INode = {
		id: 'list-search-node',
		name: 'Node',
		type: options.type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...options.node,
	};
	const workflow = new Workflow({
		id: 'list-search',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new NodeTypes({ [options.type]: options.nodeType }),
	});
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, options.credentials);
	const context = new LoadOptionsContext(workflow, node, createAdditionalData({ credentialsHelper }), '');
	return await search.call(context, options.filter, options.paginationToken);
}

/** Calls a dropdown's option loader (`methods.loadOptions`) as the editor does, with n8n-core's real LoadOptionsContext. */
export async function runLoadOptions(options: Omit<ListSearchOptions, 'filter' | 'paginationToken'>): Promise<INodePropertyOptions[]> {
	await ensureEnvironment();
	const load = options.nodeType.methods?.loadOptions?.[options.method];
	if (!load) throw new UnexpectedError(`No loadOptions method ${options.method}`);
	const node: INode = {
		id: 'load-options-node',
		name: 'Node',
		type: options.type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...options.node,
	};
	const workflow = new Workflow({
		id: 'load-options',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new NodeTypes({ [options.type]: options.nodeType }),
	});
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, options.credentials);
	const context = new LoadOptionsContext(workflow, node, createAdditionalData({ credentialsHelper }), '');
	return await load.call(context);
}
