import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	type ExecutionError,
	type ExecutionStatus,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IPinData,
	type IRun,
	type IRunExecutionData,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { createAdditionalData } from './additional-data';
import { HarnessCredentialsHelper } from './credentials-helper';
import { capturingLogger, ensureEnvironment, useBinaryMode, type BinaryMode } from './environment';
import type { CapturedLog } from './logger';
import { NodeTypes } from './node-types';
import { MANUAL_TRIGGER_TYPE, builtInNodeTypes } from './test-nodes';

/** A workflow as n8n exports it (extra fields such as `meta` or `pinData` are allowed). */
export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
	pinData?: IPinData;
}

export interface RunOptions {
	workflow: WorkflowJson;
	/** Full type name -> node, e.g. `{ 'n8n-nodes-teamspirit.teamSpirit': new TeamSpirit() }`. */
	nodeTypes: Record<string, INodeType | IVersionedNodeType>;
	credentialTypes?: ICredentialType[];
	/** Decrypted credential data by credential type name. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Items the start node receives; default `[{ json: {} }]`. */
	startItems?: INodeExecutionData[];
	/** Name of the start node; default: the Manual Trigger, else n8n's `getStartNode()`. */
	startNode?: string;
	/** Default `manual`. */
	mode?: WorkflowExecuteMode;
	/** Default `filesystem` (as N8N_DEFAULT_BINARY_DATA_MODE=filesystem). */
	binaryMode?: BinaryMode;
	/** The n8n instance's base URL (its webhook and waiting-webhook URLs); default http://localhost:5678. */
	baseUrl?: string;
}

export interface RunResult {
	/** The execution's id (what `$execution.id` and signed resume links carry). */
	executionId: string;
	run: IRun;
	status: ExecutionStatus;
	/** The execution's error (a failing node without continue-on-fail). */
	error?: ExecutionError;
	/** Node names in the order they finished. */
	executionOrder: string[];
	/** Items of one output of one run of a node; throws if the node produced none. */
	nodeOutput(name: string, runIndex?: number, output?: number): INodeExecutionData[];
	/** Error of a node's run, if it failed. */
	nodeError(name: string, runIndex?: number): ExecutionError | undefined;
	/** Everything n8n-core and the nodes logged during this run. */
	logs: CapturedLog[];
	/** Holds the credentials as updated during the run (e.g. by `preAuthentication`). */
	credentialsHelper: HarnessCredentialsHelper;
}

let executionCounter = 0;

function pickStartNode(workflow: Workflow, startNode: string | undefined): INode {
	const node = startNode
		? workflow.getNode(startNode)
		: (Object.values(workflow.nodes).find((n) => n.type === MANUAL_TRIGGER_TYPE && !n.disabled) ??
			workflow.getStartNode());
	if (!node) throw new UnexpectedError(`No start node found${startNode ? `: ${startNode}` : ''}`);
	return node;
}

/** Runs a workflow through n8n-core's real WorkflowExecute and returns the run. */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	const executionId = `harness-${++executionCounter}`;
	return await executeRun(options, executionId, (workflow) =>
		createRunExecutionData({
			resultData: { runData: {}, pinData: structuredClone(options.workflow.pinData) },
			executionData: {
				nodeExecutionStack: [
					{
						node: pickStartNode(workflow, options.startNode),
						data: { main: [options.startItems ?? [{ json: {} }]] },
						source: null,
					},
				],
			},
		}),
	);
}

/**
 * Runs (or goes on with) an execution: `data` gives the execution data for the workflow object
 * this run builds, e.g. a waiting execution's saved data (test/harness/waiting.ts).
 */
export async function executeRun(
	options: RunOptions,
	executionId: string,
	data: (workflow: Workflow) => IRunExecutionData,
): Promise<RunResult> {
	await ensureEnvironment();
	await useBinaryMode(options.binaryMode ?? 'filesystem');
	const logStart = capturingLogger.entries.length;

	const mode = options.mode ?? 'manual';
	// n8n mutates nodes (parameter defaults, ...): keep the caller's fixture pristine
	const { nodes, connections, settings } = structuredClone(options.workflow);
	const workflowId = options.workflow.id ?? 'harness-workflow';

	const workflow = new Workflow({
		id: workflowId,
		name: options.workflow.name ?? 'Harness workflow',
		nodes,
		connections,
		settings,
		active: false,
		nodeTypes: new NodeTypes({ ...builtInNodeTypes(), ...options.nodeTypes }),
	});

	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: workflow.name ?? '',
		active: false,
		isArchived: false,
		activeVersionId: null,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes,
		connections,
		settings,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const executionOrder: string[] = [];
	hooks.addHandler('nodeExecuteAfter', (nodeName) => {
		executionOrder.push(nodeName);
	});
	const finished = new Promise<IRun>((resolve) => {
		hooks.addHandler('workflowExecuteAfter', (run) => resolve(run));
	});

	const credentialsHelper = new HarnessCredentialsHelper(
		options.credentialTypes,
		options.credentials,
	);
	const additionalData = createAdditionalData({
		credentialsHelper,
		hooks,
		executionId,
		workflowId,
		baseUrl: options.baseUrl,
	});

	const workflowExecute = new WorkflowExecute(additionalData, mode, data(workflow));
	await workflowExecute.processRunExecutionData(workflow);
	const run = await finished;
	const { runData } = run.data.resultData;

	return {
		executionId,
		run,
		status: run.status,
		error: run.data.resultData.error,
		executionOrder,
		logs: capturingLogger.entries.slice(logStart),
		credentialsHelper,
		nodeOutput(name, runIndex = 0, output = 0) {
			const task = runData[name]?.[runIndex];
			if (!task) {
				const ran = Object.keys(runData);
				const errors = ran.flatMap((node) =>
					runData[node].flatMap((t) => (t.error ? [`${node}: ${t.error.message}`] : [])),
				);
				const details = [`ran: ${ran.join(', ') || 'none'}`, ...errors];
				throw new UnexpectedError(`Node "${name}" has no run ${runIndex} (${details.join('; ')})`);
			}
			return task.data?.main?.[output] ?? [];
		},
		nodeError(name, runIndex = 0) {
			return runData[name]?.[runIndex]?.error;
		},
	};
}
