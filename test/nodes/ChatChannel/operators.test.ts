/**
 * The Chat Channel node's TeamSpirit pickers as the editor calls them (n8n-core's real
 * LoadOptionsContext against the TeamSpirit emulator): Operators lists the people who can answer,
 * not the bot, and a node without a TeamSpirit credential (an example just imported) says what is
 * missing instead of n8n's bare "Error fetching options".
 */
import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runListSearch, runLoadOptions } from '../../harness';
import { NODE_TYPE } from './setup';

let emulator: TeamSpiritEmulator;

beforeAll(async () => {
	emulator = await TeamSpiritEmulator.start();
	emulator.addUser({ id: 'u_alice', name: 'Alice Archer', username: 'alice' });
	emulator.addUser({ id: 'u_bob', name: 'Bob Baker', username: 'bob' });
});
afterAll(async () => await emulator.stop());

const conversation = { channel: 'telegram', resource: 'conversation', operation: 'toTeamSpirit' };
const withCredential = {
	credentialTypes: [new TeamSpiritApi()],
	credentials: { teamSpiritApi: { serverUrl: '', apiKey: '' } },
};

describe('Chat Channel: the Operators picker', () => {
	it('lists the TeamSpirit users by name, leaving out the bot the credential belongs to', async () => {
		withCredential.credentials.teamSpiritApi = { serverUrl: emulator.url, apiKey: emulator.apiKey };
		const users = await runLoadOptions({
			type: NODE_TYPE,
			nodeType: new ChatChannel(),
			method: 'getUsers',
			...withCredential,
			node: { parameters: conversation, credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit account' } } },
		});
		expect(users).toEqual([
			{ name: 'Alice Archer (@alice)', value: 'u_alice' },
			{ name: 'Bob Baker (@bob)', value: 'u_bob' },
		]);
		expect(users.map((u) => u.value)).not.toContain(emulator.bot.id);
	});

	it.each([
		['Operators (loadOptions getUsers)', () => runLoadOptions({ type: NODE_TYPE, nodeType: new ChatChannel(), method: 'getUsers', ...withCredential, node: { parameters: conversation } })],
		['a chat list (listSearch searchChats)', () => runListSearch({ type: NODE_TYPE, nodeType: new ChatChannel(), method: 'searchChats', ...withCredential, node: { parameters: conversation } })],
	])('%s without a TeamSpirit credential on the node: "Choose a TeamSpirit API credential first", and no request', async (_what, call) => {
		const before = emulator.requests.length;
		await expect(call()).rejects.toThrow(/^Choose a TeamSpirit API credential first/);
		expect(emulator.requests.length).toBe(before);
	});
});
