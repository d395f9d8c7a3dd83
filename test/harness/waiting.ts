/**
 * Waiting executions, as n8n 2.41 runs them: a node puts the execution to wait
 * (`putExecutionToWait`), then either a request to its waiting webhook resumes it
 * (n8n/dist/webhooks/waiting-webhooks.js + webhook-helpers.js `executeWebhook`) or the wait
 * tracker does when `waitTill` passes. Between the two the execution is only its saved data (a
 * copy, as in n8n's database), so a resume works as after a restart.
 *
 *   const execution = await startExecution({ workflow, nodeTypes, credentialTypes, credentials });
 *   execution.status;                          // 'waiting'; execution.waitTill
 *   const call = await execution.request({ url: signedLink, headers: { 'user-agent': '…' } });
 *   call.response;                             // the page n8n sends
 *   call.resumed;                              // the webhook returned workflowData: the run went on
 *   execution.result.nodeOutput('Approve');    // the run after the resume
 *   await execution.timeOut();                 // the wait tracker at waitTill
 *
 * A sendAndWait node's link is checked like n8n checks it (the `signature` query parameter, HMAC
 * with the instance's secret): a changed or unsigned link gets 401 and never reaches the node.
 */
import { Container } from '@n8n/di';
import { InstanceSettings, WebhookContext, validateUrlSignature } from 'n8n-core';
import {
	NodeHelpers,
	SEND_AND_WAIT_OPERATION,
	UnexpectedError,
	Workflow,
	type CloseFunction,
	type ExecutionStatus,
	type IHttpRequestMethods,
	type INodeExecutionData,
	type IRunExecutionData,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { NodeTypes } from './node-types';
import { executeRun, runWorkflow, type RunOptions, type RunResult } from './run-workflow';
import { builtInNodeTypes } from './test-nodes';
import { FakeResponse, jsonResponse, parseBody, type WebhookResponse } from './webhook';

export interface WaitingRequest {
	/** The whole URL (e.g. a signed link the node sent): /webhook-waiting/<execution>/<node>?… */
	url: string;
	/** Default GET. */
	method?: string;
	headers?: Record<string, string>;
	body?: string | Buffer;
}

export interface WaitingCall {
	/** What n8n answers the caller. */
	response: WebhookResponse;
	/** The node's webhook returned workflowData and the execution went on with it. */
	resumed: boolean;
	/** What the node's webhook threw (n8n answers 500). */
	error?: Error;
}

export interface Execution {
	readonly id: string;
	/** n8n's status: waiting, running (resumed, not finished), success, error… */
	readonly status: ExecutionStatus;
	readonly waitTill?: Date;
	/** The latest run: the one that went to wait, then the one after the resume. */
	readonly result: RunResult;
	/** Every run of the execution, the first included. */
	readonly results: RunResult[];
	/** One request to the execution's waiting webhook; resolves once a resumed run has ended. */
	request(request: WaitingRequest): Promise<WaitingCall>;
	/** What n8n's wait tracker does at `waitTill`: the run goes on, the waiting node disabled. */
	timeOut(): Promise<RunResult>;
}

const NO_ACTION_REQUIRED =
	'<!DOCTYPE html><html><body><h1>No action required</h1>' +
	'<p>This request has been answered already, or the execution ended.</p></body></html>';

/** Runs the workflow until it ends or waits. */
export async function startExecution(options: RunOptions): Promise<Execution> {
	const first = await runWorkflow(options);
	const results = [first];
	let status: ExecutionStatus = first.status;
	// as saved in n8n's database: a copy, so a resume works on its own objects (as after a restart)
	let saved: IRunExecutionData = structuredClone(first.run.data);
	const id = first.executionId;

	const goOn = async (prepare?: (data: IRunExecutionData) => void): Promise<RunResult> => {
		status = 'running';
		const data = structuredClone(saved);
		prepare?.(data);
		const result = await executeRun(options, id, () => data);
		results.push(result);
		status = result.status;
		saved = structuredClone(result.run.data);
		return result;
	};

	const execution: Execution = {
		id,
		get status() {
			return status;
		},
		get waitTill() {
			return status === 'waiting' ? saved.waitTill : undefined;
		},
		get result() {
			return results[results.length - 1];
		},
		results,
		request: async (request) =>
			await handleRequest(options, id, () => ({ status, saved }), request, async (items) => {
				if (status !== 'waiting') return false; // n8n resumes only a waiting execution
				await goOn((data) => resumeWith(data, items));
				return true;
			}),
		timeOut: async () => {
			if (status !== 'waiting') throw new UnexpectedError(`Execution ${id} is ${status}, not waiting`);
			return await goOn();
		},
	};
	return execution;
}

/** As waiting-webhooks.js getWebhookExecutionData + prepareExecutionData. */
function resumeWith(data: IRunExecutionData, items: INodeExecutionData[][]): void {
	const entry = data.executionData!.nodeExecutionStack[0];
	data.resultData.runData[data.resultData.lastNodeExecuted!]?.pop();
	data.waitTill = undefined;
	entry.node.disabled = true;
	entry.data.main = items;
	entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
}

function pageResponse(status: number, html: string): WebhookResponse {
	return { ...jsonResponse(status, html), status };
}

/** One request, read top to bottom as n8n handles it. */
async function handleRequest(
	options: RunOptions,
	executionId: string,
	state: () => { status: ExecutionStatus; saved: IRunExecutionData },
	request: WaitingRequest,
	resume: (items: INodeExecutionData[][]) => Promise<boolean>,
): Promise<WaitingCall> {
	const url = new URL(request.url);
	const [, base, pathExecution, suffix] = url.pathname.split('/');
	if (base !== 'webhook-waiting' || pathExecution !== executionId) {
		return { response: jsonResponse(404, { message: `No execution "${pathExecution}"` }), resumed: false };
	}
	const { status, saved } = state();
	const nodeTypes = new NodeTypes({ ...builtInNodeTypes(), ...options.nodeTypes });
	const { nodes, connections, settings } = structuredClone(options.workflow);
	const workflow = new Workflow({
		id: options.workflow.id ?? 'harness-workflow',
		nodes,
		connections,
		settings,
		active: false,
		nodeTypes,
	});
	const node = Object.values(workflow.nodes).find((n) => n.id === decodeURIComponent(suffix ?? ''));
	const isSendAndWait = node?.parameters.operation === SEND_AND_WAIT_OPERATION;
	if (isSendAndWait) {
		const signature = url.searchParams.get('signature') ?? '';
		const { hmacSignatureSecret } = Container.get(InstanceSettings);
		if (!signature || !validateUrlSignature(signature, url, hmacSignatureSecret)) {
			return { response: pageResponse(401, '<h1>Invalid token</h1>'), resumed: false };
		}
	}
	if (status === 'running') {
		return { response: jsonResponse(409, { message: `The execution "${executionId}" is running already.` }), resumed: false };
	}
	if (status !== 'waiting') {
		if (isSendAndWait) return { response: pageResponse(200, NO_ACTION_REQUIRED), resumed: false };
		return { response: jsonResponse(409, { message: `The execution "${executionId}" has finished already.` }), resumed: false };
	}
	const method = (request.method ?? 'GET').toUpperCase();
	const nodeType = node && nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const description = nodeType?.description.webhooks?.find(
		(w) => w.restartWebhook === true && String(w.httpMethod).toUpperCase() === method,
	);
	if (!node || !nodeType?.webhook || !description) {
		if (isSendAndWait) return { response: pageResponse(200, NO_ACTION_REQUIRED), resumed: false };
		return { response: jsonResponse(404, { message: 'No waiting webhook with a matching path/method' }), resumed: false };
	}

	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
	const rawBody = Buffer.from(request.body ?? '');
	const contentType = headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined;
	const parsed = parseBody(rawBody, contentType, 'utf-8');
	if ('error' in parsed) return { response: jsonResponse(422, { message: 'Failed to parse request body' }), resumed: false };
	const query = Object.fromEntries(url.searchParams);
	const req = {
		method,
		url: `${url.pathname}${url.search}`,
		path: url.pathname,
		headers,
		query,
		params: {},
		body: parsed.body,
		contentType,
		rawBody,
		readRawBody: async () => {},
	};
	const res = new FakeResponse();
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, options.credentials);
	const additionalData: IWorkflowExecuteAdditionalData = {
		...createAdditionalData({ credentialsHelper, executionId, workflowId: workflow.id, baseUrl: options.baseUrl }),
		httpRequest: req as unknown as IWorkflowExecuteAdditionalData['httpRequest'],
		httpResponse: res as unknown as IWorkflowExecuteAdditionalData['httpResponse'],
	};
	const webhookData: IWebhookData = {
		httpMethod: method as IHttpRequestMethods,
		node: node.name,
		path: NodeHelpers.getNodeWebhookPath(workflow.id, node, node.id, true),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
	};
	const runExecutionData = structuredClone(saved);
	const closeFunctions: CloseFunction[] = [];
	const mode = options.mode ?? 'manual';
	const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, closeFunctions, runExecutionData);
	let result: IWebhookResponseData;
	try {
		result = await nodeType.webhook.call(context);
	} catch (error) {
		return {
			response: jsonResponse(500, { message: 'Workflow Webhook Error: Workflow could not be started!' }),
			resumed: false,
			error: error as Error,
		};
	} finally {
		await Promise.allSettled(closeFunctions.map(async (fn) => await fn()));
	}
	let response: WebhookResponse | undefined;
	if (result.noWebhookResponse === true) {
		if (!res.finished) throw new UnexpectedError(`${node.name} returned noWebhookResponse but did not answer`);
		response = res.toResponse();
	}
	const resumed = result.workflowData !== undefined && (await resume(result.workflowData));
	// an answer the node did not write n8n sends after its conditional resume (webhook-helpers.js
	// shouldDeferOnReceivedResponse): a lost resume gets n8n's error instead
	if (!response && result.workflowData !== undefined && !resumed) {
		response = jsonResponse(500, { code: 0, message: 'There was a problem executing the workflow' });
	}
	if (!response) {
		const sent = jsonResponse(200, result.webhookResponse ?? { message: 'Workflow was started' });
		response = { ...sent, headers: { ...sent.headers, ...res.headers } };
	}
	return { response, resumed };
}
