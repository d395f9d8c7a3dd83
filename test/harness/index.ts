/**
 * Test harness: runs n8n workflows through n8n-core's real WorkflowExecute, with
 * real credential handling, real binary data storage and real HTTP requests.
 * Modelled on n8n's own NodeTestHarness (packages/core/nodes-testing), which is
 * not published.
 */
export { executeRun, runWorkflow, type RunOptions, type RunResult, type WorkflowJson } from './run-workflow';
export { testCredential } from './test-credential';
export { HarnessCredentialsHelper, type CredentialUpdate } from './credentials-helper';
export {
	binaryStoragePath,
	capturingLogger,
	cleanup,
	ensureEnvironment,
	useBinaryMode,
	type BinaryMode,
} from './environment';
export {
	binarySha256,
	deterministicBytes,
	deterministicSha256,
	deterministicStream,
	readBinaryStream,
	sha256OfStream,
} from './binary';
export { InMemoryProcessedData, processedData } from './deduplication';
export { logsToText, type CapturedLog, type LogLevel } from './logger';
export {
	ITEMS_NODE_TYPE,
	MANUAL_TRIGGER_TYPE,
	ItemsNode,
	ManualTriggerStandIn,
	type DeterministicBinarySpec,
} from './test-nodes';
export { NodeTypes } from './node-types';
export { runListSearch, runLoadOptions, type ListSearchOptions } from './list-search';
export { startTrigger, type RunningTrigger, type TriggerOptions } from './trigger';
export { startWebhookTrigger, type RawRequest, type WebhookCall, type WebhookResponse, type WebhookTrigger, type WebhookTriggerOptions } from './webhook';
export { startExecution, type Execution, type WaitingCall, type WaitingRequest } from './waiting';
