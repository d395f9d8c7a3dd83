import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from 'n8n-core';
import { UnexpectedError, type ICredentialsHelper, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';

export const HARNESS_BASE_URL = 'http://localhost:5678';

function notAvailable(what: string): never {
	throw new UnexpectedError(`${what} is not available in the test harness`);
}

/**
 * The `additionalData` a real n8n passes to WorkflowExecute (cli's
 * WorkflowExecuteAdditionalData.getBase), reduced to what runs without a server:
 * sub-workflows, agents and task runners are not available.
 */
export function createAdditionalData(options: {
	credentialsHelper: ICredentialsHelper;
	hooks?: ExecutionLifecycleHooks;
	executionId?: string;
	workflowId?: string;
	userId?: string;
	variables?: Record<string, string>;
	/** The instance's base URL; default HARNESS_BASE_URL. */
	baseUrl?: string;
}): IWorkflowExecuteAdditionalData {
	const base = options.baseUrl ?? HARNESS_BASE_URL;
	return {
		credentialsHelper: options.credentialsHelper,
		hooks: options.hooks,
		executionId: options.executionId,
		workflowId: options.workflowId,
		userId: options.userId ?? 'harness-user',
		variables: options.variables ?? {},
		currentNodeExecutionIndex: 0,
		currentNodeParameters: undefined,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		externalSecretsProxy: new ExternalSecretsProxy(),
		executeWorkflow: async () => notAvailable('executeWorkflow (sub-workflows)'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => notAvailable('startRunnerTask (Code node task runner)'),
	};
}
