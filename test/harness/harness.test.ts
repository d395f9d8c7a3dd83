import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';

import {
	NodeApiError,
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import {
	ITEMS_NODE_TYPE,
	MANUAL_TRIGGER_TYPE,
	binarySha256,
	binaryStoragePath,
	HarnessCredentialsHelper,
	cleanup,
	deterministicBytes,
	ensureEnvironment,
	deterministicSha256,
	deterministicStream,
	logsToText,
	runWorkflow,
	sha256OfStream,
	testCredential,
	type WorkflowJson,
} from './index';

const API_KEY = 'sk-harness-0123456789-secret';
const FORBIDDEN_KEY = 'sk-harness-forbidden-key';
const FIVE_MB = 5 * 1024 * 1024;
const SESSION_TOKEN = 'session-token-abcdef-123456';

// ---------------------------------------------------------------- real HTTP server

interface Upload {
	sha256: string;
	bytes: number;
	contentType: string | undefined;
}

const uploads: Upload[] = [];
let logins = 0;
let server: Server;
let baseUrl: string;

function send(res: ServerResponse, status: number, body: IDataObject): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
	const url = new URL(req.url ?? '/', 'http://127.0.0.1');
	if (url.pathname === '/login' && req.method === 'POST') {
		const { sha256 } = await sha256OfStream(req); // body is {"apiKey": ...}
		const ok = sha256 === createHash('sha256').update(JSON.stringify({ apiKey: API_KEY })).digest('hex');
		logins++;
		return ok ? send(res, 200, { token: SESSION_TOKEN }) : send(res, 401, { message: 'bad login' });
	}
	if (url.pathname === '/session/me') {
		return req.headers['x-session'] === SESSION_TOKEN
			? send(res, 200, { user: 'session-user' })
			: send(res, 401, { message: 'session expired' });
	}
	const key = req.headers['x-api-key'];
	if (key === FORBIDDEN_KEY) return send(res, 403, { message: 'forbidden' });
	if (key !== API_KEY || req.headers.authorization !== `Bearer ${API_KEY}`) {
		req.resume();
		return send(res, 401, { message: 'invalid api key' });
	}
	if (url.pathname === '/me') return send(res, 200, { user: 'harness' });
	if (url.pathname === '/whoami') {
		return send(res, 200, { tenant: url.searchParams.get('tenant'), headerKey: key });
	}
	if (url.pathname === '/upload' && req.method === 'POST') {
		const { sha256, bytes } = await sha256OfStream(req);
		const upload = { sha256, bytes, contentType: req.headers['content-type'] };
		uploads.push(upload);
		return send(res, 200, { ...upload });
	}
	if (url.pathname === '/boom') return send(res, 500, { message: 'the server exploded' });
	send(res, 404, { message: 'not found' });
}

beforeAll(async () => {
	server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => send(res, 500, { message: error.message }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
	await cleanup();
});

// ---------------------------------------------------------------- dummy credential types

const dummyApi: ICredentialType = {
	name: 'dummyApi',
	displayName: 'Dummy API',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Tenant', name: 'tenant', type: 'string', default: 'acme' },
	],
	authenticate: {
		type: 'generic',
		properties: {
			headers: {
				'X-Api-Key': '={{$credentials.apiKey}}',
				Authorization: '={{"Bearer " + $credentials.apiKey}}',
			},
			qs: { tenant: '={{$credentials.tenant}}' },
		},
	},
	test: {
		request: { baseURL: '={{$credentials.baseUrl}}', url: '/me' },
		rules: [{ type: 'responseCode', properties: { value: 403, message: 'This key is forbidden' } }],
	},
};

const dummyFunctionApi: ICredentialType = {
	name: 'dummyFunctionApi',
	displayName: 'Dummy API (function authenticate)',
	properties: [
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
	],
	authenticate: async (credentials, requestOptions: IHttpRequestOptions) => ({
		...requestOptions,
		headers: {
			...requestOptions.headers,
			'X-Api-Key': credentials.token as string,
			Authorization: `Bearer ${credentials.token as string}`,
		},
	}),
};

/** Logs in with `preAuthentication`; the session token is an expirable hidden property. */
const dummySessionApi: ICredentialType = {
	name: 'dummySessionApi',
	displayName: 'Dummy API (session login)',
	properties: [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		},
	],
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { token } = (await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl as string}/login`,
			body: { apiKey: credentials.apiKey },
			json: true,
		})) as { token: string };
		return { sessionToken: token };
	},
	authenticate: {
		type: 'generic',
		properties: { headers: { 'X-Session': '={{$credentials.sessionToken}}' } },
	},
	test: { request: { baseURL: '={{$credentials.baseUrl}}', url: '/session/me' } },
};

// ---------------------------------------------------------------- dummy node

const DUMMY_TYPE = 'harnessTest.dummy';

class DummyNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dummy',
		name: DUMMY_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Calls the test server',
		defaults: { name: 'Dummy' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'dummyApi', required: true, displayOptions: { show: { auth: ['generic'] } } },
			{
				name: 'dummyFunctionApi',
				required: true,
				displayOptions: { show: { auth: ['function'] } },
			},
			{
				name: 'dummySessionApi',
				required: true,
				displayOptions: { show: { auth: ['session'] } },
			},
		],
		properties: [
			{
				displayName: 'Auth',
				name: 'auth',
				type: 'options',
				options: [
					{ name: 'Generic', value: 'generic' },
					{ name: 'Function', value: 'function' },
					{ name: 'Session', value: 'session' },
				],
				default: 'generic',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				options: [
					{ name: 'Who Am I', value: 'whoami' },
					{ name: 'Upload', value: 'upload' },
					{ name: 'Boom', value: 'boom' },
				],
				default: 'whoami',
			},
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const auth = this.getNodeParameter('auth', 0) as string;
		const credentialType = { generic: 'dummyApi', function: 'dummyFunctionApi', session: 'dummySessionApi' }[
			auth
		]!;
		const output: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const operation = this.getNodeParameter('operation', i) as string;
			const url = this.getNodeParameter('url', i) as string;
			try {
				this.logger.debug('Dummy request', { operation, url });
				const request: IHttpRequestOptions = { method: 'GET', url, json: true };
				if (operation === 'upload') {
					const binaryData = this.helpers.assertBinaryData(i, 'data');
					const body: Readable | Buffer = binaryData.id
						? await this.helpers.getBinaryStream(binaryData.id)
						: await this.helpers.getBinaryDataBuffer(i, 'data');
					Object.assign(request, {
						method: 'POST',
						body,
						headers: { 'content-type': binaryData.mimeType },
					});
				}
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					request,
				)) as IDataObject;
				output.push({ json: response, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					output.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error instanceof NodeApiError ? error : new NodeApiError(this.getNode(), error);
			}
		}
		return [output];
	}
}

// ---------------------------------------------------------------- workflow builder

function node(name: string, type: string, parameters: INode['parameters'], extra: Partial<INode> = {}): INode {
	return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

function chain(...nodes: INode[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = {
			main: [[{ node: nodes[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	return { nodes, connections, settings: { executionOrder: 'v1' } };
}

const trigger = node('When clicking "Execute workflow"', MANUAL_TRIGGER_TYPE, {});
const dummyCredentials = { dummyApi: { id: '1', name: 'Dummy account' } };
const nodeTypes = { [DUMMY_TYPE]: new DummyNode() };
const credentialTypes = [dummyApi, dummyFunctionApi, dummySessionApi];

// ---------------------------------------------------------------- tests

describe('deterministic bytes', () => {
	it('are reproducible and independent of chunking', () => {
		const bytes = deterministicBytes(200_003, 7);
		expect(bytes.length).toBe(200_003);
		expect(deterministicBytes(200_003, 7).equals(bytes)).toBe(true);
		expect(deterministicBytes(200_003, 8).equals(bytes)).toBe(false);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(deterministicSha256(200_003, 7));
	});

	it('stream the same bytes', async () => {
		const { sha256, bytes } = await sha256OfStream(deterministicStream(100_001, 'seed'));
		expect(bytes).toBe(100_001);
		expect(sha256).toBe(deterministicSha256(100_001, 'seed'));
	});
});

describe('runWorkflow', () => {
	it('(a) applies a generic `authenticate` with expressions and credential defaults', async () => {
		const result = await runWorkflow({
			workflow: chain(
				trigger,
				node('Dummy', DUMMY_TYPE, { operation: 'whoami', url: `${baseUrl}/whoami` }, {
					credentials: dummyCredentials,
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyApi: { baseUrl, apiKey: API_KEY } },
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.executionOrder).toEqual(['When clicking "Execute workflow"', 'Dummy']);
		expect(result.nodeOutput('Dummy')).toEqual([
			expect.objectContaining({ json: { tenant: 'acme', headerKey: API_KEY } }),
		]);
		// WorkflowExecute logs through LoggerProxy, nodes through the DI container's Logger
		expect(result.logs).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ level: 'debug', message: 'Workflow execution started' }),
				expect.objectContaining({ level: 'debug', message: 'Dummy request' }),
			]),
		);
		expect(logsToText(result.logs)).not.toContain(API_KEY);
	});

	it('(a) applies a function `authenticate`', async () => {
		const result = await runWorkflow({
			workflow: chain(
				trigger,
				node('Dummy', DUMMY_TYPE, { auth: 'function', url: `${baseUrl}/whoami` }, {
					credentials: { dummyFunctionApi: { id: '2', name: 'Fn account' } },
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyFunctionApi: { token: API_KEY } },
			startItems: [{ json: { a: 1 } }, { json: { a: 2 } }],
		});

		expect(result.status).toBe('success');
		expect(result.nodeOutput('When clicking "Execute workflow"').map((i) => i.json)).toEqual([
			{ a: 1 },
			{ a: 2 },
		]);
		expect(result.nodeOutput('Dummy').map((i) => i.json.headerKey)).toEqual([API_KEY, API_KEY]);
	});

	it('runs `preAuthentication` for an empty expirable property and again after a 401', async () => {
		logins = 0;
		const workflow = chain(
			trigger,
			node('Dummy', DUMMY_TYPE, { auth: 'session', url: `${baseUrl}/session/me` }, {
				credentials: { dummySessionApi: { id: '3', name: 'Session account' } },
			}),
		);
		const fresh = await runWorkflow({
			workflow,
			nodeTypes,
			credentialTypes,
			credentials: { dummySessionApi: { baseUrl, apiKey: API_KEY, sessionToken: '' } },
		});
		expect(fresh.nodeOutput('Dummy')[0].json).toEqual({ user: 'session-user' });
		expect(logins).toBe(1);
		expect(fresh.credentialsHelper.updates).toEqual([
			{ type: 'dummySessionApi', data: expect.objectContaining({ sessionToken: SESSION_TOKEN }) },
		]);

		const expired = await runWorkflow({
			workflow,
			nodeTypes,
			credentialTypes,
			credentials: { dummySessionApi: { baseUrl, apiKey: API_KEY, sessionToken: 'stale' } },
		});
		expect(expired.nodeOutput('Dummy')[0].json).toEqual({ user: 'session-user' });
		expect(logins).toBe(2);
		expect(logsToText([...fresh.logs, ...expired.logs])).not.toMatch(new RegExp(`${API_KEY}|${SESSION_TOKEN}`));
	});

	it('(b) streams 5 MB of filesystem binary data from the items node to the server', async () => {
		uploads.length = 0;
		const result = await runWorkflow({
			workflow: chain(
				trigger,
				node('Items', ITEMS_NODE_TYPE, {
					items: JSON.stringify([{ name: 'big file' }]),
					binary: JSON.stringify({
						property: 'data',
						fileName: 'big.bin',
						mimeType: 'application/octet-stream',
						size: FIVE_MB,
						seed: 42,
					}),
				}),
				node('Dummy', DUMMY_TYPE, { operation: 'upload', url: `${baseUrl}/upload` }, {
					credentials: dummyCredentials,
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyApi: { baseUrl, apiKey: API_KEY } },
		});

		expect(result.error).toBeUndefined();
		const expected = deterministicSha256(FIVE_MB, 42);

		const [item] = result.nodeOutput('Items');
		const binary = item.binary!.data;
		expect(binary).toMatchObject({
			fileName: 'big.bin',
			mimeType: 'application/octet-stream',
			bytes: FIVE_MB,
			data: 'filesystem-v2',
		});
		expect(binary.id).toMatch(/^filesystem-v2:workflows\/harness-workflow\/executions\/harness-\d+\/binary_data\//);
		const file = path.join(await binaryStoragePath(), binary.id!.split(':')[1]);
		expect(existsSync(file)).toBe(true);
		expect(await binarySha256(binary)).toBe(expected);

		expect(uploads).toEqual([{ sha256: expected, bytes: FIVE_MB, contentType: 'application/octet-stream' }]);
		expect(result.nodeOutput('Dummy')[0].json).toMatchObject({ sha256: expected, bytes: FIVE_MB });
	});

	it('(b) also works with in-memory (default mode) binary data', async () => {
		uploads.length = 0;
		const result = await runWorkflow({
			binaryMode: 'default',
			workflow: chain(
				trigger,
				node('Items', ITEMS_NODE_TYPE, {
					items: '[{"n":1},{"n":2}]',
					binary: JSON.stringify([
						{ fileName: 'a.txt', mimeType: 'text/plain', size: 1000, seed: 1 },
						{ fileName: 'b.txt', mimeType: 'text/plain', size: 70_000, seed: 2 },
					]),
				}),
				node('Dummy', DUMMY_TYPE, { operation: 'upload', url: `${baseUrl}/upload` }, {
					credentials: dummyCredentials,
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyApi: { baseUrl, apiKey: API_KEY } },
		});

		expect(result.error).toBeUndefined();
		const items = result.nodeOutput('Items');
		expect(items[0].binary!.data.id).toBeUndefined();
		expect(Buffer.from(items[0].binary!.data.data, 'base64').equals(deterministicBytes(1000, 1))).toBe(
			true,
		);
		expect(await binarySha256(items[1].binary!.data)).toBe(deterministicSha256(70_000, 2));
		expect(uploads.map((u) => u.sha256)).toEqual([
			deterministicSha256(1000, 1),
			deterministicSha256(70_000, 2),
		]);
	});

	it('(c) gives an error item to a node with onError: continueRegularOutput', async () => {
		const result = await runWorkflow({
			workflow: chain(
				trigger,
				node('Dummy', DUMMY_TYPE, { operation: 'boom', url: `${baseUrl}/boom` }, {
					credentials: dummyCredentials,
					onError: 'continueRegularOutput',
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyApi: { baseUrl, apiKey: API_KEY } },
		});

		expect(result.status).toBe('success');
		const [item] = result.nodeOutput('Dummy');
		expect(item.json.error).toBe('The service was not able to process your request');
		expect(logsToText(result.logs)).not.toContain(API_KEY);
	});

	it('(c) fails the execution without continue-on-fail', async () => {
		const result = await runWorkflow({
			workflow: chain(
				trigger,
				node('Dummy', DUMMY_TYPE, { operation: 'boom', url: `${baseUrl}/boom` }, {
					credentials: dummyCredentials,
				}),
			),
			nodeTypes,
			credentialTypes,
			credentials: { dummyApi: { baseUrl, apiKey: API_KEY } },
		});

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The service was not able to process your request');
		expect(result.nodeError('Dummy')).toMatchObject({
			name: 'NodeApiError',
			httpCode: '500',
			description: 'the server exploded',
		});
		expect(() => result.nodeOutput('Dummy')).not.toThrow();
		expect(JSON.stringify(result.run.data.resultData)).not.toContain(API_KEY);
	});
});

describe('HarnessCredentialsHelper', () => {
	it('encrypts with the instance key in getCredentials and merges credential properties', async () => {
		await ensureEnvironment();
		const helper = new HarnessCredentialsHelper(credentialTypes, { dummyApi: { apiKey: API_KEY } });
		const credentials = await helper.getCredentials({ id: '1', name: 'Dummy' }, 'dummyApi');
		expect(credentials.getDataToSave().data).not.toContain(API_KEY);
		await expect(credentials.getData()).resolves.toEqual({ apiKey: API_KEY });
		expect(helper.getCredentialsProperties('dummyApi').map((p) => p.name)).toEqual([
			'baseUrl',
			'apiKey',
			'tenant',
		]);
	});
});

describe('testCredential', () => {
	it('(d) returns OK for a valid key', async () => {
		await expect(testCredential(dummyApi, { baseUrl, apiKey: API_KEY })).resolves.toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
	});

	it('(d) returns Error for a 401 without leaking the key', async () => {
		const wrongKey = 'sk-harness-wrong-key-987654';
		const result = await testCredential(dummyApi, { baseUrl, apiKey: wrongKey });
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(wrongKey);
		expect(result.message).toBe('Unauthorized');
	});

	it('(d) applies responseCode rules', async () => {
		await expect(testCredential(dummyApi, { baseUrl, apiKey: FORBIDDEN_KEY })).resolves.toEqual({
			status: 'Error',
			message: 'This key is forbidden',
		});
	});

	it('(d) runs `preAuthentication` before the test request', async () => {
		logins = 0;
		await expect(
			testCredential(dummySessionApi, { baseUrl, apiKey: API_KEY, sessionToken: 'stale' }),
		).resolves.toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(logins).toBe(1);
	});

	it('(d) reports connection errors', async () => {
		const result = await testCredential(dummyApi, { baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY });
		expect(result).toEqual({ status: 'Error', message: 'ECONNREFUSED' });
	});
});
