import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritIncomingWebhookApi } from '../../../credentials/TeamSpiritIncomingWebhookApi.credentials';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { RunOptions, RunResult, WorkflowJson } from '../../harness';
import { logsToText, runWorkflow } from '../../harness';

export const NODE_TYPE = 'n8n-nodes-teamspirit.teamSpirit';

export function loadWorkflow(name: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(__dirname, 'workflows', `${name}.json`), 'utf8')) as WorkflowJson;
}

/** A server with fixed IDs that the workflow fixtures refer to. */
export async function startSeededEmulator() {
	const emulator = await TeamSpiritEmulator.start();
	const alice = emulator.addUser({ id: 'u_alice', name: 'Alice Archer', username: 'alice' });
	const bob = emulator.addUser({ id: 'u_bob', name: 'Bob Boyd', username: 'bob' });
	const general = emulator.addChat({ id: 'c_general', title: 'General', memberIds: [alice.id, bob.id] });
	const support = emulator.addChat({ id: 'c_support', title: 'Support desk', memberIds: [alice.id] });
	emulator.addChat({ id: 'c_busy', title: 'Busy chat' });
	const question = emulator.addMessage('c_general', { id: 'm_question', senderId: alice.id, text: 'Question?' });
	const answer = emulator.addMessage('c_general', { id: 'm_answer', text: 'Answer.' });
	return { emulator, alice, bob, general, support, question, answer };
}

export interface RunArgs extends Partial<RunOptions> {
	/** Changes the fixture before the run (e.g. a parameter). */
	edit?: (workflow: WorkflowJson) => void;
}

export async function runFixture(
	emulator: TeamSpiritEmulator,
	name: string,
	args: RunArgs = {},
): Promise<RunResult & { output: INodeExecutionData[] | undefined; everything: string }> {
	const workflow = loadWorkflow(name);
	args.edit?.(workflow);
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new TeamSpirit() },
		credentialTypes: [new TeamSpiritApi(), new TeamSpiritIncomingWebhookApi()],
		credentials: {
			teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey },
			teamSpiritIncomingWebhookApi: { webhookUrl: '' },
			...args.credentials,
		},
		...args,
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('TeamSpirit');
	} catch {
		output = undefined;
	}
	// Everything a user or an admin could see: output, errors, logs.
	const everything = JSON.stringify(result.run.data.resultData) + logsToText(result.logs);
	return { ...result, output, everything };
}

export const jsonOf = (items: INodeExecutionData[] | undefined) => (items ?? []).map((i) => i.json);
export const pairedOf = (items: INodeExecutionData[] | undefined) => (items ?? []).map((i) => i.pairedItem);
