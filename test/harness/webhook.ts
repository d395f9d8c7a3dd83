/**
 * Runs a webhook trigger the way n8n does: its `webhookMethods` (checkExists / create / delete)
 * through n8n-core's real HookContext, and raw HTTP requests (bytes + headers) through its
 * `webhook()` with n8n-core's real WebhookContext, with the request pipeline of n8n 2.41 in front
 * (raw body reader and body parser) and its response handling behind. Any node type, any
 * credentials; the production or the test webhook URL; static data in and out.
 *
 *   const hook = await startWebhookTrigger({ workflow, nodeTypes, credentialTypes, credentials, listen: true });
 *   await hook.activate();                      // n8n's activation: checkExists, then create if needed
 *   const call = await hook.request({ headers, body });
 *   call.response.status; call.started; call.workflowData;
 *   await hook.deactivate();                    // delete
 *   hook.savedStaticData();                     // what n8n would have in its database
 *   await hook.close();
 *
 * With `listen: true` the webhook URL is served by a real HTTP server on 127.0.0.1, so that an
 * emulator (or anything else) can POST to the URL the node registered; the node's other webhooks
 * (a channel's endpoints) are served on their own paths, found by path and method as n8n does.
 *
 * Static data follows what n8n 2.41 does with it (see nodes/shared/dedupe.ts): what the webhook
 * methods change is saved; what `webhook()` changes is saved only when the request starts no
 * execution (an execution saves its own, earlier copy over it); test URLs never save anything.
 */
import { WebhookContext, HookContext } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	Workflow,
	jsonParse,
	type CloseFunction,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestMethods,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IVersionedNodeType,
	type IWebhookData,
	type IWebhookDescription,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WebhookSetupMethodNames,
	type WebhookType,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { EventEmitter, once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseQueryString } from 'node:querystring';

import { boundaryFromContentType, MultipartParser } from '../emulators/multipart';

import { createAdditionalData, HARNESS_BASE_URL } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { capturingLogger, ensureEnvironment, useBinaryMode, type BinaryMode } from './environment';
import type { CapturedLog } from './logger';
import { NodeTypes } from './node-types';
import { runWorkflow, type RunResult, type WorkflowJson } from './run-workflow';
import { builtInNodeTypes } from './test-nodes';

export interface WebhookTriggerOptions {
	workflow: WorkflowJson;
	/** Full type name -> node. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	/** Name of the trigger node; default: the first enabled node whose type has webhooks. */
	triggerNode?: string;
	/** Which of the node's webhooks; default `default`. */
	webhookName?: WebhookType;
	credentialTypes?: ICredentialType[];
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The workflow's static data as n8n stored it, e.g. `savedStaticData()` of an earlier run (a restart). */
	staticData?: IDataObject;
	/** `production` (an active workflow; default) or `test` (the editor listening for a test event). */
	url?: 'production' | 'test';
	/** Serve the webhook URL on a real HTTP server on 127.0.0.1. Default false (call `request()`). */
	listen?: boolean;
	/** With `listen`: the port (e.g. the one of an earlier run, for a restart on the same URL); default any free one. */
	port?: number;
	/** Base URL of the n8n instance when not listening; default http://localhost:5678. */
	baseUrl?: string;
	/** After a request that starts an execution, run the rest of the workflow through WorkflowExecute. */
	runWorkflow?: boolean;
	binaryMode?: BinaryMode;
}

export interface RawRequest {
	/** Default POST. */
	method?: string;
	headers?: Record<string, string>;
	/** Sent as they are. */
	body?: string | Buffer;
	query?: Record<string, string>;
	/** The client's address as n8n's server sees it (`req.ip`); default 127.0.0.1. */
	ip?: string;
}

export interface WebhookResponse {
	status: number;
	/** Lower-case names. */
	headers: Record<string, string>;
	body: string;
	/** The body parsed, when it is JSON. */
	json?: unknown;
}

export interface WebhookCall {
	/** What n8n answers the caller. */
	response: WebhookResponse;
	/** Whether n8n would start an execution (also one that only records `error`). */
	started: boolean;
	/** The items the execution starts with (the trigger node's output). */
	workflowData?: INodeExecutionData[][];
	/** What `webhook()` threw: n8n answers 500 and records a failed execution. */
	error?: Error;
	/** With `runWorkflow`: the execution of the rest of the workflow. */
	run?: RunResult;
	/** Everything logged while handling the request. */
	logs: CapturedLog[];
	/** Whether `webhook()` changed the workflow's static data (n8n then saves it). */
	staticDataChanged?: boolean;
}

export interface WebhookTrigger {
	/** The webhook URL the node sees (`getNodeWebhookUrl`): production or test. */
	readonly url: string;
	/** The other URL of the same node (test when `url` is production, and the reverse). */
	readonly otherUrl: string;
	readonly nodeName: string;
	checkExists(activation?: WorkflowActivateMode): Promise<boolean>;
	create(activation?: WorkflowActivateMode): Promise<boolean>;
	delete(): Promise<boolean>;
	/** n8n's `createWebhookIfNotExists`: checkExists, then create when it said false. */
	activate(activation?: WorkflowActivateMode): Promise<{ existed: boolean }>;
	/** n8n's deactivation of the webhook: delete. */
	deactivate(): Promise<boolean>;
	/** One raw request through n8n's pipeline and the node's `webhook()`. */
	request(raw: RawRequest): Promise<WebhookCall>;
	/** Every request handled, in order (those that came over HTTP included). */
	readonly calls: WebhookCall[];
	/**
	 * Resolves when the requests that came over HTTP are completely handled: n8n answers before
	 * the execution runs, so a caller has its answer while `runWorkflow` may still be going on.
	 */
	settled(): Promise<void>;
	/** The static data as n8n would have stored it. */
	savedStaticData(): IDataObject;
	/** How often the node read a credential of this type (n8n decrypts it each time). */
	credentialReads(type: string): number;
	/** Stops the HTTP server, if any. */
	close(): Promise<void>;
}

/** Mirrors the body parsing of n8n 2.41 (middlewares/body-parser.ts) for a webhook request. */
export function parseBody(
	rawBody: Buffer,
	contentType: string | undefined,
	encoding: BufferEncoding,
): { body: unknown } | { error: string } {
	if (!rawBody.length) return { body: {} };
	const text = () => {
		const value = rawBody.toString(encoding);
		return value.charCodeAt(0) === 0xfeff ? value.slice(1) : value;
	};
	try {
		if (contentType === 'application/json') return { body: jsonParse(text()) };
		if (contentType === 'application/x-www-form-urlencoded') return { body: parseQueryString(text()) };
		if (contentType === 'text/plain') return { body: text() };
	} catch (error) {
		return { error: (error as Error).message };
	}
	return { body: {} };
}

/** A file of a multipart body as n8n 2.41's parser (formidable) hands it on: in a temporary file. */
export interface FormFile {
	filepath: string;
	originalFilename: string | null;
	mimetype: string | null;
	size: number;
}

/**
 * Mirrors n8n 2.41's multipart parsing of a webhook request (webhooks/webhook-form-data.ts:
 * formidable with `multiples`, blank file inputs dropped, one-element lists unwrapped):
 * `{ data: fields, files }`, each file in a temporary file.
 */
export async function parseMultipart(rawBody: Buffer, contentTypeHeader: string): Promise<{ data: IDataObject; files: IDataObject }> {
	const boundary = boundaryFromContentType(contentTypeHeader);
	if (!boundary) throw new UnexpectedError('multipart/form-data without a boundary');
	const data: Record<string, string[]> = {};
	const files: Record<string, FormFile[]> = {};
	const dir = mkdtempSync(join(tmpdir(), 'harness-form-'));
	let count = 0;
	const parser = new MultipartParser(boundary, (part) => {
		const chunks: Buffer[] = [];
		return {
			write: (chunk: Buffer) => void chunks.push(chunk),
			end: () => {
				const bytes = Buffer.concat(chunks);
				if (part.filename === undefined) {
					(data[part.name] ??= []).push(bytes.toString('utf8'));
					return;
				}
				// n8n drops a file input the browser sent empty (no file chosen)
				if (!part.filename && !bytes.length) return;
				const filepath = join(dir, `file-${++count}`);
				writeFileSync(filepath, bytes);
				(files[part.name] ??= []).push({
					filepath,
					originalFilename: part.filename,
					mimetype: part.contentType ?? null,
					size: bytes.length,
				});
			},
		};
	});
	await parser.write(rawBody);
	await parser.end();
	const unwrap = <T>(lists: Record<string, T[]>): IDataObject =>
		Object.fromEntries(Object.entries(lists).map(([key, list]) => [key, list.length === 1 ? list[0] : list])) as IDataObject;
	return { data: unwrap(data), files: unwrap(files) };
}

const PARSABLE = /^(application\/json|text\/plain|application\/x-www-form-urlencoded)|[/+]xml$/;

/** Emits `finish` when the answer is complete, as Node's ServerResponse does. */
export class FakeResponse extends EventEmitter {
	statusCode = 200;
	headers: Record<string, string> = {};
	chunks: Buffer[] = [];
	headersSent = false;
	finished = false;

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	setHeader(name: string, value: string | number | readonly string[]): this {
		this.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
		return this;
	}

	getHeader(name: string): string | undefined {
		return this.headers[name.toLowerCase()];
	}

	removeHeader(name: string): this {
		delete this.headers[name.toLowerCase()];
		return this;
	}

	/** As Node's ServerResponse: true once `end()` was called. */
	get writableEnded(): boolean {
		return this.finished;
	}

	header(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	set(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	type(value: string): this {
		return this.setHeader('content-type', value);
	}

	writeHead(code: number, headers: Record<string, string> = {}): this {
		this.statusCode = code;
		for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
		this.headersSent = true;
		return this;
	}

	write(chunk: string | Buffer): boolean {
		this.headersSent = true;
		this.chunks.push(Buffer.from(chunk));
		return true;
	}

	end(chunk?: string | Buffer): this {
		if (chunk !== undefined) this.write(chunk);
		this.headersSent = true;
		if (!this.finished) {
			this.finished = true;
			this.emit('finish');
			this.emit('close');
		}
		return this;
	}

	send(body?: unknown): this {
		if (body === undefined) return this.end();
		if (typeof body === 'string' || Buffer.isBuffer(body)) {
			this.headers['content-type'] ??= typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/octet-stream';
			return this.end(body);
		}
		return this.json(body);
	}

	json(body: unknown): this {
		this.headers['content-type'] ??= 'application/json; charset=utf-8';
		// Express sends no body for undefined
		return body === undefined ? this.end() : this.end(JSON.stringify(body));
	}

	sendStatus(code: number): this {
		return this.status(code).end();
	}

	toResponse(): WebhookResponse {
		return toResponse(this.statusCode, this.headers, Buffer.concat(this.chunks).toString('utf8'));
	}
}

function toResponse(status: number, headers: Record<string, string>, body: string): WebhookResponse {
	let json: unknown;
	try {
		json = body ? JSON.parse(body) : undefined;
	} catch {
		json = undefined;
	}
	return { status, headers, body, json };
}

export function jsonResponse(status: number, data: unknown): WebhookResponse {
	const body = data === undefined ? '' : typeof data === 'string' ? data : JSON.stringify(data);
	const headers: Record<string, string> =
		typeof data === 'string' ? { 'content-type': 'text/html; charset=utf-8' } : { 'content-type': 'application/json; charset=utf-8' };
	return toResponse(status, data === undefined ? {} : headers, body);
}

function snapshot(staticData: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}

let requestCounter = 0;

export async function startWebhookTrigger(options: WebhookTriggerOptions): Promise<WebhookTrigger> {
	await ensureEnvironment();
	await useBinaryMode(options.binaryMode ?? 'filesystem');

	const isTest = options.url === 'test';
	const nodeTypes = new NodeTypes({ ...builtInNodeTypes(), ...options.nodeTypes });
	const workflowId = options.workflow.id ?? 'harness-webhook-workflow';
	const webhookName: WebhookType = options.webhookName ?? 'default';
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, options.credentials);
	let persisted: IDataObject = structuredClone(options.staticData ?? {});

	let server: http.Server | undefined;
	let baseUrl = options.baseUrl ?? HARNESS_BASE_URL;
	if (options.listen) {
		server = http.createServer();
		server.listen(options.port ?? 0, '127.0.0.1');
		await once(server, 'listening');
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	}

	const newWorkflow = (staticData: IDataObject) => {
		const { nodes, connections, settings } = structuredClone(options.workflow);
		return new Workflow({
			id: workflowId,
			name: options.workflow.name ?? 'Harness workflow',
			nodes,
			connections,
			settings,
			active: !isTest,
			nodeTypes,
			staticData: structuredClone(staticData),
		});
	};

	const probe = newWorkflow(persisted);
	const triggerNode: INode | undefined = options.triggerNode
		? (probe.getNode(options.triggerNode) ?? undefined)
		: Object.values(probe.nodes).find(
				(node) => !node.disabled && nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description.webhooks?.length,
			);
	if (!triggerNode) throw new UnexpectedError(`No webhook trigger node ${options.triggerNode ?? 'found'} in the workflow`);
	const nodeName = triggerNode.name;
	const nodeType = nodeTypes.getByNameAndVersion(triggerNode.type, triggerNode.typeVersion);
	const description: IWebhookDescription | undefined = nodeType.description.webhooks?.find((w) => w.name === webhookName);
	if (!description) throw new UnexpectedError(`Node ${nodeName} has no webhook "${webhookName}"`);

	const additionalData = (extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData => ({
		...createAdditionalData({ credentialsHelper, workflowId }),
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		formBaseUrl: `${baseUrl}/form`,
		formTestBaseUrl: `${baseUrl}/form-test`,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		instanceBaseUrl: baseUrl,
		restApiUrl: `${baseUrl}/rest`,
		...extra,
	});

	const evaluate = <T>(workflow: Workflow, node: INode, value: unknown, fallback: T): T =>
		(value === undefined
			? fallback
			: workflow.expression.getSimpleParameterValue(node, value as string, 'internal', {}, undefined, fallback as string)) as T;

	const webhookPath = (workflow: Workflow, node: INode, desc: IWebhookDescription = description) => {
		const path = String(evaluate(workflow, node, desc.path, '')).replace(/^\/+|\/+$/g, '');
		const isFullPath = evaluate(workflow, node, desc.isFullPath, false);
		return { path, isFullPath };
	};

	const webhookData = (workflow: Workflow, data: IWorkflowExecuteAdditionalData, desc: IWebhookDescription = description): IWebhookData => {
		const node = workflow.getNode(nodeName)!;
		const { path, isFullPath } = webhookPath(workflow, node, desc);
		return {
			httpMethod: evaluate(workflow, node, desc.httpMethod, 'GET') as IHttpRequestMethods,
			node: nodeName,
			path: NodeHelpers.getNodeWebhookPath(workflowId, node, path, isFullPath),
			webhookDescription: desc,
			workflowId,
			workflowExecuteAdditionalData: data,
			isTest,
			webhookId: node.webhookId,
		};
	};

	const urlOf = (test: boolean, desc: IWebhookDescription = description) => {
		const node = probe.getNode(nodeName)!;
		const { path, isFullPath } = webhookPath(probe, node, desc);
		return NodeHelpers.getNodeWebhookUrl(`${baseUrl}/${test ? 'webhook-test' : 'webhook'}`, workflowId, node, path, isFullPath);
	};
	const url = urlOf(isTest);
	const servedPathOf = (desc: IWebhookDescription) => new URL(urlOf(isTest, desc)).pathname;
	const methodOf = (desc: IWebhookDescription) => String(evaluate(probe, probe.getNode(nodeName)!, desc.httpMethod, 'GET')).toUpperCase();
	/**
	 * The node's webhook a request over HTTP is for, as n8n finds it: by path and method (the node's
	 * other webhooks too, e.g. a channel's endpoints); undefined when no webhook has the path.
	 */
	const descriptionFor = (pathname: string, method: string): IWebhookDescription | undefined => {
		const onPath = (nodeType.description.webhooks ?? []).filter((desc) => servedPathOf(desc) === pathname);
		return onPath.find((desc) => methodOf(desc) === method.toUpperCase()) ?? (onPath.includes(description) ? description : onPath[0]);
	};

	/** One webhook method on a fresh copy of the workflow, saving static data afterwards as n8n does. */
	const runMethod = async (
		method: WebhookSetupMethodNames,
		mode: WorkflowExecuteMode,
		activation: WorkflowActivateMode,
		workflow = newWorkflow(persisted),
	): Promise<boolean> => {
		const fn = nodeType.webhookMethods?.[webhookName]?.[method];
		if (!fn) return method === 'checkExists' ? false : true;
		const data = additionalData();
		const context = new HookContext(workflow, workflow.getNode(nodeName)!, data, mode, activation, webhookData(workflow, data));
		const result = await fn.call(context);
		if (workflow.staticData.__dataChanged === true) persisted = snapshot(workflow.staticData);
		return result;
	};

	const setupMode: WorkflowExecuteMode = isTest ? 'manual' : 'trigger';
	const calls: WebhookCall[] = [];

	/** `onResponse` gets the answer as soon as n8n would send it, before the workflow runs. */
	const handle = async (
		raw: RawRequest,
		onResponse?: (response: WebhookResponse) => void,
		desc: IWebhookDescription = description,
	): Promise<WebhookCall> => {
		const servedPath = servedPathOf(desc);
		const logStart = capturingLogger.entries.length;
		const method = (raw.method ?? 'POST').toUpperCase();
		const rawBody = raw.body === undefined ? Buffer.alloc(0) : Buffer.from(raw.body);
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(raw.headers ?? {})) headers[name.toLowerCase()] = value;
		if (rawBody.length && headers['content-length'] === undefined) headers['content-length'] = String(rawBody.length);
		const [type, ...params] = (headers['content-type'] ?? '').split(';');
		const contentType = type.trim().toLowerCase() || undefined;
		const charset = params.map((p) => /charset=([^;]+)/i.exec(p)?.[1]).find(Boolean);
		const encoding = (charset?.trim().toLowerCase() ?? 'utf-8') as BufferEncoding;
		const query = raw.query ?? {};
		const req = {
			method,
			url: `${servedPath}${Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : ''}`,
			path: servedPath,
			headers,
			query,
			ip: raw.ip ?? '127.0.0.1',
			params: {},
			body: {} as unknown,
			contentType,
			encoding,
			rawBody: undefined as Buffer | undefined,
			readRawBody: async () => {
				req.rawBody ??= rawBody;
			},
		};
		const finish = (call: Omit<WebhookCall, 'logs'>): WebhookCall => {
			const done = { ...call, logs: capturingLogger.entries.slice(logStart) };
			calls.push(done);
			onResponse?.(done.response);
			return done;
		};

		if (method !== methodOf(desc)) {
			return finish({ response: jsonResponse(404, { code: 404, message: `This webhook is not registered for ${method} requests` }), started: false });
		}
		if (contentType === 'multipart/form-data') {
			await req.readRawBody();
			try {
				req.body = await parseMultipart(rawBody, headers['content-type']);
			} catch (error) {
				return finish({
					response: jsonResponse(400, { code: 400, message: 'The submitted form data could not be parsed.', hint: (error as Error).message }),
					started: false,
				});
			}
		} else if (contentType?.startsWith('multipart/')) {
			throw new UnexpectedError('The webhook harness parses only multipart/form-data of the multipart bodies');
		}
		// n8n reads and parses the body of version-1 nodes whatever its type, of later versions only parsable types
		if (contentType === 'multipart/form-data') {
			// parsed above
		} else if (triggerNode.typeVersion === 1 || (contentType !== undefined && PARSABLE.test(contentType))) {
			await req.readRawBody();
			const parsed = parseBody(rawBody, contentType, encoding);
			if ('error' in parsed) {
				return finish({
					response: jsonResponse(422, { code: 422, message: 'Failed to parse request body', hint: parsed.error }),
					started: false,
				});
			}
			req.body = parsed.body;
		}
		req.body ??= {};

		const workflow = newWorkflow(persisted);
		const node = workflow.getNode(nodeName)!;
		const res = new FakeResponse();
		// n8n 2.41 (webhook-request-handler.ts setupCorsHeaders) reflects any Origin before the node
		// runs, for a node without an "Allowed Origins" option of its own
		if (headers.origin !== undefined) res.setHeader('Access-Control-Allow-Origin', headers.origin);
		const data = additionalData({
			httpRequest: req as unknown as IWorkflowExecuteAdditionalData['httpRequest'],
			httpResponse: res as unknown as IWorkflowExecuteAdditionalData['httpResponse'],
			executionId: `harness-webhook-${++requestCounter}`,
		});
		const mode: WorkflowExecuteMode = isTest ? 'manual' : 'webhook';
		const closeFunctions: CloseFunction[] = [];
		const context = new WebhookContext(workflow, node, data, mode, webhookData(workflow, data, desc), closeFunctions, null);
		if (!nodeType.webhook) throw new UnexpectedError(`Node ${nodeName} has no webhook()`);

		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook.call(context);
		} catch (error) {
			// n8n answers this way and records an execution that failed in the trigger node
			return finish({
				response: jsonResponse(500, { code: 0, message: 'Workflow Webhook Error: Workflow could not be started!' }),
				started: true,
				error: error as Error,
			});
		} finally {
			await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
		}

		const started = result.workflowData !== undefined;
		const staticDataChanged = workflow.staticData.__dataChanged === true;
		if (!started && !isTest && workflow.staticData.__dataChanged === true) persisted = snapshot(workflow.staticData);

		let response: WebhookResponse;
		if (result.noWebhookResponse === true) {
			if (!res.finished) {
				throw new UnexpectedError(`${nodeName} returned noWebhookResponse but did not answer the request`);
			}
			response = res.toResponse();
		} else {
			const responseCode = Number(evaluate(workflow, node, desc.responseCode, 200));
			if (!started) {
				response = jsonResponse(responseCode, result.webhookResponse ?? { message: 'Webhook call received' });
			} else {
				const responseMode = evaluate<string>(workflow, node, desc.responseMode, 'onReceived');
				if (responseMode === 'lastNode') return await answerAfterRun(result, res, responseCode, finish, onResponse, desc);
				if (responseMode !== 'onReceived') {
					throw new UnexpectedError(`The webhook harness answers only responseMode onReceived or lastNode (not ${String(responseMode)})`);
				}
				// as n8n 2.41's extractWebhookOnReceivedResponse
				const responseData = desc.responseData ?? 'firstEntryJson';
				const body =
					responseData === 'noData'
						? undefined
						: (responseData ?? result.webhookResponse ?? { message: 'Workflow was started' });
				response = jsonResponse(responseCode, body);
			}
		}

		onResponse?.(response);
		onResponse = undefined;
		let run: RunResult | undefined;
		if (started && options.runWorkflow) {
			run = await runWorkflow({
				workflow: options.workflow,
				nodeTypes: options.nodeTypes,
				credentialTypes: options.credentialTypes,
				credentials: options.credentials,
				startNode: nodeName,
				startItems: result.workflowData![0] ?? [],
				mode,
				binaryMode: options.binaryMode,
			});
		}
		return finish({ response, started, workflowData: result.workflowData, run, staticDataChanged });
	};

	/**
	 * responseMode `lastNode`, as n8n 2.41's executeWebhook: the answer waits for the execution; a
	 * failed one gets 500 `{"message":"Error in workflow"}` (n8n's answer to a crashed queue-mode job
	 * too), a successful one `responseCode` with the body `responseData` picks (`noData`: none).
	 */
	const answerAfterRun = async (
		result: IWebhookResponseData,
		res: FakeResponse,
		responseCode: number,
		finish: (call: Omit<WebhookCall, 'logs'>) => WebhookCall,
		onResponse?: (response: WebhookResponse) => void,
		desc: IWebhookDescription = description,
	): Promise<WebhookCall> => {
		if (!options.runWorkflow) throw new UnexpectedError('responseMode lastNode needs runWorkflow: true in the webhook harness');
		if (desc.responseData !== 'noData') throw new UnexpectedError('The webhook harness answers lastNode only with responseData noData');
		const nodeName = triggerNode.name;
		let run: RunResult | undefined;
		try {
			run = await runWorkflow({
				workflow: options.workflow,
				nodeTypes: options.nodeTypes,
				credentialTypes: options.credentialTypes,
				credentials: options.credentials,
				startNode: nodeName,
				startItems: result.workflowData![0] ?? [],
				mode: isTest ? 'manual' : 'webhook',
				binaryMode: options.binaryMode,
			});
		} finally {
			if (!run || run.error) res.status(500).json({ message: 'Error in workflow' });
			else res.status(responseCode).json(undefined);
		}
		const response = res.toResponse();
		onResponse?.(response);
		return finish({ response, started: true, workflowData: result.workflowData, run });
	};

	const request = async (raw: RawRequest) => await handle(raw);
	const inFlight = new Set<Promise<unknown>>();
	const settled = async () => {
		while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
	};

	if (server) {
		server.on('request', (incoming: http.IncomingMessage, outgoing: http.ServerResponse) => {
			const send = (response: WebhookResponse) => {
				if (outgoing.headersSent) return;
				outgoing.writeHead(response.status, response.headers);
				outgoing.end(response.body);
			};
			const handling: Promise<void> = (async () => {
				const chunks: Buffer[] = [];
				for await (const chunk of incoming) chunks.push(chunk as Buffer);
				const target = new URL(incoming.url ?? '/', baseUrl);
				const desc = descriptionFor(target.pathname, incoming.method ?? 'GET');
				if (!desc) {
					send(jsonResponse(404, { code: 404, message: `The requested webhook "${target.pathname}" is not registered.` }));
				} else {
					const headers: Record<string, string> = {};
					for (const [name, value] of Object.entries(incoming.headers)) {
						if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
					}
					try {
						const raw = { method: incoming.method, headers, body: Buffer.concat(chunks), query: Object.fromEntries(target.searchParams) };
						send((await handle(raw, send, desc)).response);
					} catch (error) {
						send(jsonResponse(500, { code: 0, message: `Harness error: ${(error as Error).message}` }));
					}
				}
			})().finally(() => inFlight.delete(handling));
			inFlight.add(handling);
		});
	}

	return {
		url,
		otherUrl: urlOf(!isTest),
		nodeName,
		calls,
		checkExists: async (activation: WorkflowActivateMode = isTest ? 'manual' : 'activate') =>
			await runMethod('checkExists', setupMode, activation),
		create: async (activation: WorkflowActivateMode = isTest ? 'manual' : 'activate') =>
			await runMethod('create', setupMode, activation),
		delete: async () => await runMethod('delete', 'internal', 'update'),
		async activate(activation: WorkflowActivateMode = isTest ? 'manual' : 'activate') {
			// one workflow object for both calls, saved once, as ActiveWorkflowManager.addWebhooks does
			const workflow = newWorkflow(persisted);
			const existed = await runMethod('checkExists', setupMode, activation, workflow);
			if (!existed) await runMethod('create', setupMode, activation, workflow);
			return { existed };
		},
		deactivate: async () => await runMethod('delete', 'internal', 'update'),
		request,
		settled,
		savedStaticData: () => structuredClone(persisted),
		credentialReads: (type: string) => credentialsHelper.decryptions.get(type) ?? 0,
		async close() {
			if (!server) return;
			await settled();
			const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}
