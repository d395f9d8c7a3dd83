/**
 * What n8n's editor makes of the node descriptions: canvas subtitles for every
 * channel / resource / operation, the Channel parameter staying a visible parameter, one
 * Custom API Call entry. Subtitles are evaluated by n8n-workflow's own expression engine with
 * the parameters the editor keeps (NodeHelpers.getNodeParameters drops hidden ones).
 */
import { NodeHelpers, Workflow, type INode, type INodeParameters, type INodeType } from 'n8n-workflow';

import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpirit } from '../../nodes/TeamSpirit/TeamSpirit.node';
import { TeamSpiritTrigger } from '../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { offers } from '../../nodes/ChatChannel/descriptions/offers';
import { adapters } from '../../nodes/channels';
import { NodeTypes } from '../harness';

const TYPES: Record<string, INodeType> = {
	teamSpirit: new TeamSpirit(),
	teamSpiritTrigger: new TeamSpiritTrigger(),
	chatChannel: new ChatChannel(),
	chatChannelTrigger: new ChatChannelTrigger(),
};
const nodeTypes = new NodeTypes(TYPES);

function optionValues(type: INodeType, name: string, parameters: INodeParameters): string[] {
	const node = { parameters } as unknown as INode;
	return type.description.properties
		.filter((p) => p.name === name && NodeHelpers.displayParameter(parameters, p, node, type.description))
		.flatMap((p) => (p.options ?? []).map((o) => String((o as { value: unknown }).value)));
}

/** The subtitle the canvas shows for a node with these parameters. */
function subtitleOf(typeName: string, given: INodeParameters): string {
	const type = TYPES[typeName];
	const node: INode = {
		id: '1',
		name: 'Node',
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	node.parameters = NodeHelpers.getNodeParameters(type.description.properties, given, false, false, node, type.description) ?? {};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return String(workflow.expression.getSimpleParameterValue(node, type.description.subtitle as string, 'internal', {}));
}

/** Every resource/operation (and channel) combination the editor offers. */
function combinations(typeName: string): INodeParameters[] {
	const type = TYPES[typeName];
	const channels = type.description.properties.some((p) => p.name === 'channel') ? optionValues(type, 'channel', {}) : [undefined];
	const out: INodeParameters[] = [];
	for (const channel of channels) {
		const base: INodeParameters = channel ? { channel } : {};
		for (const resource of optionValues(type, 'resource', base)) {
			for (const operation of optionValues(type, 'operation', { ...base, resource })) out.push({ ...base, resource, operation });
		}
	}
	return out;
}

function expectReadable(subtitle: string, parameters: INodeParameters) {
	expect(subtitle).not.toMatch(/undefined|null|\[object/);
	// no raw values such as sendFile or getAll
	for (const value of Object.values(parameters)) if (/[a-z][A-Z]/.test(String(value))) expect(subtitle).not.toContain(String(value));
	expect(subtitle.trim()).not.toBe('');
	expect(subtitle).not.toMatch(/^:|: $/);
}

describe('canvas subtitles read well for every combination', () => {
	it.each(['teamSpirit', 'chatChannel'])('%s: every resource and operation (and channel)', (typeName) => {
		const all = combinations(typeName);
		expect(all.length).toBeGreaterThan(typeName === 'chatChannel' ? 10 : 20);
		for (const parameters of all) {
			const subtitle = subtitleOf(typeName, parameters);
			expectReadable(subtitle, parameters);
		}
		expect(subtitleOf('teamSpirit', { resource: 'message', operation: 'send' })).toBe('Message: Send to Chat');
		expect(subtitleOf('teamSpirit', { resource: 'customApiCall', operation: 'request' })).toBe('Custom API Call: Make a Request');
		expect(subtitleOf('chatChannel', { channel: 'whatsapp', resource: 'message', operation: 'sendTemplate' })).toBe(
			'WhatsApp (Twilio): Send Template',
		);
	});

	it('Chat Channel Trigger: every channel, and both Telegram modes', () => {
		expect(subtitleOf('chatChannelTrigger', { channel: 'telegram' })).toBe('Telegram · long polling');
		expect(subtitleOf('chatChannelTrigger', { channel: 'telegram', mode: 'webhook' })).toBe('Telegram · webhook');
		expect(subtitleOf('chatChannelTrigger', { channel: 'whatsapp' })).toBe('WhatsApp (Twilio)');
		expect(subtitleOf('chatChannelTrigger', { channel: 'messenger' })).toBe('Facebook Messenger');
		// a mode left over from Telegram does not leak into another channel's subtitle
		expect(subtitleOf('chatChannelTrigger', { channel: 'messenger', mode: 'webhook' })).toBe('Facebook Messenger');
	});

	it('TeamSpirit Trigger: the chosen events by name', () => {
		expect(subtitleOf('teamSpiritTrigger', {})).toBe('Message Created');
		expect(subtitleOf('teamSpiritTrigger', { events: ['message.created', 'user.status_changed'] })).toBe(
			'Message Created, User Status Changed',
		);
	});
});

describe('the editor shows what users need', () => {
	it.each(['chatChannel', 'chatChannelTrigger'])(
		'%s: Channel is the first parameter and no credential rule makes it the hidden authentication selector',
		(typeName) => {
			const { properties, credentials } = TYPES[typeName].description;
			expect(properties[0]).toMatchObject({ name: 'channel', type: 'options' });
			// n8n's editor hides a parameter as "authentication" when every one of its values appears
			// as a plain value in the credentials' show rules; ours are conditions ({ _cnd: { eq } })
			for (const credential of credentials ?? []) {
				for (const value of credential.displayOptions?.show?.channel ?? []) expect(typeof value).toBe('object');
			}
			// and each channel still gets exactly its own credential
			for (const channel of optionValues(TYPES[typeName], 'channel', {})) {
				const node = { parameters: { channel } } as unknown as INode;
				const shown = (credentials ?? []).filter((c) => NodeHelpers.displayParameter({ channel }, c, node, TYPES[typeName].description));
				expect(shown).toHaveLength(1);
			}
		},
	);

	it('Chat Channel: each channel is offered only the resources and operations its adapter can do', () => {
		const offered = (channel: string) =>
			Object.fromEntries(
				optionValues(TYPES.chatChannel, 'resource', { channel }).map((resource) => [
					resource,
					optionValues(TYPES.chatChannel, 'operation', { channel, resource }).sort(),
				]),
			);
		const conversation = ['toCustomer', 'toTeamSpirit'];
		expect(offered('telegram')).toEqual({
			callback: ['answer'],
			chat: ['sendAction'],
			conversation,
			message: ['delete', 'edit', 'send', 'sendFile'],
		});
		expect(offered('whatsapp')).toEqual({ conversation, message: ['send', 'sendFile', 'sendTemplate'] });
		expect(offered('messenger')).toEqual({ chat: ['sendAction'], conversation, message: ['send', 'sendFile'] });
		// and what is offered, the adapter has (checked against the registry, not the lists above)
		for (const adapter of Object.values(adapters)) {
			for (const [resource, operations] of Object.entries(offered(adapter.name))) {
				for (const operation of operations) expect(offers(adapter, resource, operation)).toBe(true);
			}
		}
	});

	it('TeamSpirit: "Custom API Call" is the last resource, so n8n injects no second one', () => {
		const resource = TYPES.teamSpirit.description.properties.find((p) => p.name === 'resource')!;
		const names = (resource.options ?? []).map((o) => o.name);
		expect(names.filter((n) => /custom api call/i.test(n))).toEqual(['Custom API Call']);
		// n8n's LoadNodesAndCredentials.injectCustomApiCallOptions appends its own unless the last is named so
		expect(names[names.length - 1]).toBe('Custom API Call');
	});

	it('TeamSpirit: chat members are picked from a user list, not typed as comma-separated IDs', () => {
		for (const operation of ['create', 'addMembers']) {
			const members = TYPES.teamSpirit.description.properties.filter(
				(p) => p.name === 'memberIds' && (p.displayOptions?.show?.operation as string[]).includes(operation),
			);
			expect(members).toEqual([expect.objectContaining({ type: 'multiOptions', typeOptions: { loadOptionsMethod: 'getUsers' } })]);
		}
		expect(typeof (TYPES.teamSpirit.methods?.loadOptions as Record<string, unknown>).getUsers).toBe('function');
	});
});
