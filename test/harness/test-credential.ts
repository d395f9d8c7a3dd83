/**
 * Runs a credential type's declarative `test` the way n8n's CredentialsTester
 * (packages/cli/src/services/credentials-tester.service.ts) does: a temporary
 * node whose only property routes `test.request`, executed by n8n-core's
 * RoutingNode, so expressions over `$credentials`, `authenticate` and
 * `preAuthentication` all apply and the request goes through n8n-core's HTTP client.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { CREDENTIAL_TEST_NODE_TYPE, HarnessCredentialsHelper } from './credentials-helper';
import { ensureEnvironment } from './environment';
import { NodeTypes } from './node-types';

interface HttpErrorCause {
	response?: { status?: number; statusText?: string };
	code?: string;
}

function getPath(data: IDataObject, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>((value, key) => (value as IDataObject | undefined)?.[key], data);
}

/** Masks the values of password / expirable properties so a message can't leak them. */
function redact(
	message: string,
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
): string {
	const secretNames = credentialType.properties
		.filter((p) => p.typeOptions?.password === true || p.typeOptions?.expirable === true)
		.map((p) => p.name);
	return secretNames
		.map((name) => data[name])
		.filter((value): value is string => typeof value === 'string' && value.length > 0)
		.reduce((text, secret) => text.replaceAll(secret, '*****'), message);
}

export async function testCredential(
	credentialType: ICredentialType,
	data: ICredentialDataDecryptedObject,
	options: { parentTypes?: ICredentialType[] } = {},
): Promise<INodeCredentialTestResult> {
	const { test } = credentialType;
	if (!test) return { status: 'Error', message: 'No testing function found for this credential.' };
	await ensureEnvironment();

	const type = credentialType.name;
	const credentialsHelper = new HarnessCredentialsHelper(
		[credentialType, ...(options.parentTypes ?? [])],
		{ [type]: data },
	);
	const additionalData = createAdditionalData({ credentialsHelper });
	const nodeCredentials = { id: 'harness-credential', name: `${type} (test)` };

	let decrypted: ICredentialDataDecryptedObject;
	try {
		decrypted = await credentialsHelper.getDecrypted(additionalData, nodeCredentials, type, 'internal');
	} catch (error) {
		return { status: 'Error', message: redact((error as Error).message, credentialType, data) };
	}

	const nodeType: INodeType = {
		description: {
			displayName: 'No Operation (credential test)',
			name: CREDENTIAL_TEST_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp-Node' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: test.request },
					default: '',
				},
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: CREDENTIAL_TEST_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { temp: '' },
		credentials: { [type]: nodeCredentials },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new NodeTypes({ [CREDENTIAL_TEST_NODE_TYPE]: nodeType }),
	});
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, nodeType, {
		...nodeCredentials,
		type,
		data: decrypted,
	});

	let response: INodeExecutionData[][] | undefined;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (error as { cause?: HttpErrorCause }).cause;
		const status = cause?.response?.status;
		if (status !== undefined) {
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (status < 199 || status > 299) {
				const message = cause?.response?.statusText || `Received HTTP status code: ${status}`;
				return { status: 'Error', message: redact(message, credentialType, data) };
			}
		} else if (cause?.code) {
			return { status: 'Error', message: cause.code };
		}
		return { status: 'Error', message: redact((error as Error).message, credentialType, data) };
	}

	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const json = response?.[0]?.[0]?.json ?? {};
		if (getPath(json, rule.properties.key) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
