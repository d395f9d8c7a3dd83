import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import type { TelegramEmulator } from '../../emulators/telegram';
import { startTrigger, type RunningTrigger } from '../../harness';

export const TRIGGER_TYPE = 'n8n-nodes-teamspirit.chatChannelTrigger';

/** Starts the Chat Channel Trigger in long-polling mode against the emulator (as an active workflow). */
export async function startPolling(
	tg: TelegramEmulator,
	options: { parameters?: INodeParameters; staticData?: IDataObject; workflowId?: string; mode?: 'trigger' | 'manual' } = {},
): Promise<RunningTrigger> {
	return await startTrigger({
		nodeType: new ChatChannelTrigger(),
		type: TRIGGER_TYPE,
		parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 5 }, ...options.parameters },
		credentialTypes: [new TeamSpiritTelegramApi()],
		credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
		staticData: options.staticData,
		workflowId: options.workflowId ?? 'wf-polling',
		mode: options.mode,
	});
}
