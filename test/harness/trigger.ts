/**
 * Runs a trigger node's `trigger()` through n8n-core's real TriggerContext, the way n8n's
 * ActiveWorkflows does for an active workflow: with real credentials (the harness'
 * CredentialsHelper), real HTTP, real binary storage, and the node's static data.
 *
 *   const t = await startTrigger({ nodeType: new ChatChannelTrigger(), parameters, credentials, ... });
 *   await t.waitForEmits(2);
 *   t.emitted            // every emit: INodeExecutionData[][]
 *   await t.close();     // the trigger's closeFunction (deactivation)
 *   t.savedStaticData()  // static data as n8n would have stored it (at each emit and at close)
 *
 * Static data: n8n saves a workflow's static data when a trigger emits and when the workflow is
 * deactivated. `savedStaticData()` is a snapshot taken at exactly those moments, so a test can
 * start the trigger again with it to check what survives an n8n restart.
 */
import { ExecutionLifecycleHooks, TriggerContext } from 'n8n-core';
import {
	UnexpectedError,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type ITriggerFunctions,
	type ITriggerResponse,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { capturingLogger, ensureEnvironment, useBinaryMode, type BinaryMode } from './environment';
import type { CapturedLog } from './logger';
import { NodeTypes } from './node-types';

export interface TriggerOptions {
	nodeType: INodeType;
	/** Full type name, e.g. `n8n-nodes-teamspirit.chatChannelTrigger`. */
	type: string;
	parameters: INodeParameters;
	credentialTypes?: ICredentialType[];
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The workflow's static data, e.g. `savedStaticData()` of an earlier run (a restart). */
	staticData?: IDataObject;
	/** Default `trigger` (an active workflow); `manual` for "Test workflow". */
	mode?: WorkflowExecuteMode;
	activation?: WorkflowActivateMode;
	workflowId?: string;
	nodeName?: string;
	binaryMode?: BinaryMode;
}

export interface RunningTrigger {
	/** The response of `trigger()`. */
	response: ITriggerResponse;
	/** Every emit, in order. */
	emitted: INodeExecutionData[][][];
	/**
	 * The done promise of every emit (n8n resolves it with the run when the execution ended), in
	 * order: a test settles it as n8n would (`resolve(run)`, or `reject(error)`).
	 */
	donePromises: Array<Parameters<ITriggerFunctions['emit']>[2]>;
	/** The first output's items of every emit, flattened. */
	items(): INodeExecutionData[];
	/** Errors passed to `emitError` / `saveFailedExecution`. */
	errors: Error[];
	failedExecutions: Error[];
	waitForEmits(count: number, timeoutMs?: number): Promise<void>;
	/** Until the emits hold `count` items (one emit may carry several: a chat's batch). */
	waitForItems(count: number, timeoutMs?: number): Promise<void>;
	waitForErrors(count: number, timeoutMs?: number): Promise<void>;
	/** Calls the trigger's closeFunction (as deactivation does); safe to call twice. */
	close(): Promise<void>;
	/** Static data right now (node static data lives under `node:<name>`). */
	staticData(): IDataObject;
	/** Static data as n8n would have persisted it (snapshots at every emit and at close). */
	savedStaticData(): IDataObject;
	logs(): CapturedLog[];
	node: INode;
}

let triggerCounter = 0;

async function waitUntil(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > timeoutMs) throw new UnexpectedError(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

function snapshot(data: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(data)) as IDataObject;
	delete copy.__dataChanged;
	return copy;
}

/** Starts a trigger node and collects what it emits. Throws what `trigger()` throws. */
export async function startTrigger(options: TriggerOptions): Promise<RunningTrigger> {
	await ensureEnvironment();
	await useBinaryMode(options.binaryMode ?? 'filesystem');
	const logStart = capturingLogger.entries.length;
	const id = ++triggerCounter;
	const mode = options.mode ?? 'trigger';
	const nodeName = options.nodeName ?? 'Trigger';
	const workflowId = options.workflowId ?? `harness-trigger-${id}`;

	const node: INode = {
		id: `trigger-node-${id}`,
		name: nodeName,
		type: options.type,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters,
		credentials: Object.fromEntries(
			(options.nodeType.description.credentials ?? []).map((c) => [c.name, { id: '1', name: c.name }]),
		),
	};
	const workflow = new Workflow({
		id: workflowId,
		name: 'Harness trigger workflow',
		nodes: [node],
		connections: {},
		active: mode !== 'manual',
		nodeTypes: new NodeTypes({ [options.type]: options.nodeType }),
		staticData: structuredClone(options.staticData ?? {}),
	});
	// n8n fills in parameter defaults when it loads a workflow
	const resolvedNode = workflow.getNode(nodeName)!;

	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes, options.credentials);
	const hooks = new ExecutionLifecycleHooks(mode, `harness-trigger-${id}`, {
		id: workflowId,
		name: 'Harness trigger workflow',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [node],
		connections: {},
	});
	const additionalData = createAdditionalData({ credentialsHelper, hooks, workflowId });

	const emitted: INodeExecutionData[][][] = [];
	const donePromises: Array<Parameters<ITriggerFunctions['emit']>[2]> = [];
	const errors: Error[] = [];
	const failedExecutions: Error[] = [];
	let saved = snapshot(workflow.staticData as IDataObject);
	const save = () => {
		saved = snapshot(workflow.staticData as IDataObject);
	};

	const context = new TriggerContext(
		workflow,
		resolvedNode,
		additionalData,
		mode,
		options.activation ?? 'activate',
		(data, _responsePromise, donePromise) => {
			save();
			emitted.push(data);
			donePromises.push(donePromise);
		},
		(error) => {
			errors.push(error);
		},
		(error) => {
			failedExecutions.push(error as unknown as Error);
		},
	);

	const nodeType = options.nodeType;
	if (!nodeType.trigger) throw new UnexpectedError(`${options.type} has no trigger()`);
	const response = (await nodeType.trigger.call(context)) ?? {};
	let closed = false;

	return {
		response,
		emitted,
		donePromises,
		errors,
		failedExecutions,
		node: resolvedNode,
		items: () => emitted.flatMap((data) => data[0] ?? []),
		async waitForEmits(count, timeoutMs = 10_000) {
			await waitUntil(
				() => emitted.length >= count || errors.length > 0,
				timeoutMs,
				() => `${count} emits (got ${emitted.length})`,
			);
			if (emitted.length < count && errors.length) throw errors[0];
		},
		async waitForItems(count, timeoutMs = 10_000) {
			const total = () => emitted.reduce((sum, data) => sum + (data[0]?.length ?? 0), 0);
			await waitUntil(
				() => total() >= count || errors.length > 0,
				timeoutMs,
				() => `${count} emitted items (got ${total()})`,
			);
			if (total() < count && errors.length) throw errors[0];
		},
		async waitForErrors(count, timeoutMs = 10_000) {
			await waitUntil(() => errors.length >= count, timeoutMs, () => `${count} errors (got ${errors.length})`);
		},
		async close() {
			if (closed) return;
			closed = true;
			await response.closeFunction?.();
			save();
		},
		staticData: () => snapshot(workflow.staticData as IDataObject),
		savedStaticData: () => structuredClone(saved),
		logs: () => capturingLogger.entries.slice(logStart),
	};
}
