import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { TelegramEmulator, type TelegramEmulatorOptions } from '../../emulators/telegram';
import type { RunOptions, RunResult, WorkflowJson } from '../../harness';
import { logsToText, runWorkflow } from '../../harness';

export const NODE_TYPE = 'n8n-nodes-teamspirit.chatChannel';

export function loadWorkflow(name: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(__dirname, 'workflows', `${name}.json`), 'utf8')) as WorkflowJson;
}

export async function startTelegram(options: TelegramEmulatorOptions = {}) {
	return await TelegramEmulator.start(options);
}

export interface RunArgs extends Partial<RunOptions> {
	edit?: (workflow: WorkflowJson) => void;
	/** Replaces the Items node's items. */
	items?: unknown[];
}

export async function runFixture(
	tg: TelegramEmulator,
	name: string,
	args: RunArgs = {},
): Promise<RunResult & { output: INodeExecutionData[] | undefined; everything: string }> {
	const workflow = loadWorkflow(name);
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	args.edit?.(workflow);
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritTelegramApi()],
		credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
		...args,
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	const everything = JSON.stringify(result.run.data.resultData) + logsToText(result.logs);
	return { ...result, output, everything };
}

export const jsonOf = (items: INodeExecutionData[] | undefined) => (items ?? []).map((i) => i.json);
export const pairedOf = (items: INodeExecutionData[] | undefined) => (items ?? []).map((i) => i.pairedItem);
