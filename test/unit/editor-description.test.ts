/**
 * What n8n's editor makes of the node descriptions: canvas subtitles for every
 * channel / resource / operation, the Channel parameter staying a visible parameter, one
 * Custom API Call entry. Subtitles are evaluated by n8n-workflow's own expression engine with
 * the parameters the editor keeps (NodeHelpers.getNodeParameters drops hidden ones).
 */
import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

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

/**
 * The values a parameter's dropdown offers with these parameters, as n8n's editor shows them: the
 * displayed parameter of that name, its options filtered by their own display rules
 * (editor-ui `getParameterDisplayableOptions`, with the parameters the editor keeps).
 */
function optionValues(type: INodeType, name: string, parameters: INodeParameters): string[] {
	const node = { parameters, typeVersion: 1 } as unknown as INode;
	const values = NodeHelpers.getNodeParameters(type.description.properties, parameters, true, false, node, type.description) ?? parameters;
	return type.description.properties
		.filter((p) => p.name === name && NodeHelpers.displayParameter(values, p, node, type.description))
		.flatMap((p) => (p.options ?? []) as INodePropertyOptions[])
		.filter((o) => !o.displayOptions || NodeHelpers.displayParameter(values, o as unknown as INodeProperties, node, type.description))
		.map((o) => String(o.value));
}

/** The parameters n8n's editor shows, in order, for a node with these parameters. */
function shownParameters(type: INodeType, parameters: INodeParameters): INodeProperties[] {
	const node = { parameters, typeVersion: 1 } as unknown as INode;
	const values = NodeHelpers.getNodeParameters(type.description.properties, parameters, true, false, node, type.description) ?? parameters;
	return type.description.properties.filter((p) => NodeHelpers.displayParameter(values, p, node, type.description));
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
		const conversation = ['addNote', 'assign', 'get', 'getAll', 'getHistory', 'getStatistics', 'handOver', 'processDue', 'reopen', 'replyAsBot', 'resolve', 'sendCannedReply', 'snooze', 'toCustomer', 'toTeamSpirit', 'transfer'];
		expect(offered('telegram')).toEqual({
			callback: ['answer'],
			chat: ['sendAction'],
			conversation,
			message: ['delete', 'edit', 'react', 'send', 'sendAndWait', 'sendFile'],
		});
		expect(offered('whatsapp')).toEqual({ conversation, message: ['send', 'sendAndWait', 'sendFile', 'sendTemplate'] });
		expect(offered('messenger')).toEqual({ chat: ['sendAction'], conversation, message: ['send', 'sendAndWait', 'sendFile'] });
		// and what is offered, the adapter has (checked against the registry, not the lists above)
		for (const adapter of Object.values(adapters)) {
			for (const [resource, operations] of Object.entries(offered(adapter.name))) {
				for (const operation of operations) expect(offers(adapter, resource, operation)).toBe(true);
			}
		}
	});

	it('Chat Channel: React to Message is offered exactly on the channels whose adapter sends reactions; the others say why not', () => {
		for (const adapter of Object.values(adapters)) {
			const reacts = typeof adapter.actions.sendReaction === 'function';
			const message = optionValues(TYPES.chatChannel, 'operation', { channel: adapter.name, resource: 'message' });
			expect([adapter.name, message.includes('react')]).toEqual([adapter.name, reacts]);
			if (!reacts) expect([adapter.name, adapter.unavailable?.sendReaction]).toEqual([adapter.name, expect.any(String)]);
		}
		expect(Object.values(adapters).some((adapter) => adapter.actions.sendReaction)).toBe(true);
	});

	it('Chat Channel: each channel is shown the Inline Buttons field exactly when its adapter has buttons, and only the formats it lists', () => {
		for (const adapter of Object.values(adapters)) {
			for (const resource of optionValues(TYPES.chatChannel, 'resource', { channel: adapter.name })) {
				for (const operation of optionValues(TYPES.chatChannel, 'operation', { channel: adapter.name, resource })) {
					const parameters = { channel: adapter.name, resource, operation };
					const shown = shownParameters(TYPES.chatChannel, parameters);
					const buttons = shown.filter((p) => p.name === 'buttons');
					const where = `${adapter.name} ${resource}:${operation}`;
					if (!['send', 'sendFile', 'edit'].includes(operation) || !adapter.buttons) expect([where, buttons]).toEqual([where, []]);
					else expect([where, buttons.map((p) => p.description)]).toEqual([where, [adapter.buttons]]);
					const formats = optionValues(TYPES.chatChannel, 'format', parameters);
					if (shown.some((p) => p.name === 'format')) expect(formats.sort()).toEqual(Object.keys(adapter.textFormats ?? { plain: '' }).sort());
				}
			}
		}
		expect(shownParameters(TYPES.chatChannel, { channel: 'whatsapp', resource: 'message', operation: 'send' }).map((p) => p.name)).not.toContain('buttons');
	});

	it.each(['chatChannel', 'chatChannelTrigger'])('%s: the credential box comes right after Channel, for every channel', (typeName) => {
		// n8n's NDV puts the credential box where a parameter of type "credentials" is
		// (editor-ui ParameterInputList.vue, credentialsParameterIndex)
		for (const channel of optionValues(TYPES[typeName], 'channel', {})) {
			const shown = shownParameters(TYPES[typeName], { channel });
			expect(shown.slice(0, 2).map((p) => [p.name, p.type])).toEqual([
				['channel', 'options'],
				['credential', 'credentials'],
			]);
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

/**
 * The node panel's list of actions as n8n 2.41's editor builds it (editor-ui
 * NodeCreator/composables/useActionsGeneration.ts and useActions.ts `getActionData`): for each
 * option of each "resource" parameter, the options of the first "operation" parameter shown for
 * that resource, each setting the operation and the first value of every show rule of that
 * picker; a trigger's events from its first parameter named "Events"/"Trigger On".
 */
function nodePanelActions(description: INodeTypeDescription): Array<{ label: string; name: string; values: INodeParameters }> {
	const out: Array<{ label: string; name: string; values: INodeParameters }> = [];
	const first = (show: Record<string, unknown[]> | undefined) =>
		Object.fromEntries(Object.entries(show ?? {}).map(([k, v]) => [k, v[0]])) as INodeParameters;
	for (const resource of description.properties.filter((p) => p.name === 'resource')) {
		for (const option of (resource.options ?? []) as INodePropertyOptions[]) {
			const picker = description.properties.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(option.value));
			for (const op of (picker?.options ?? []) as INodePropertyOptions[]) {
				out.push({ label: `${option.name} Actions`, name: op.action ?? op.name, values: { operation: op.value, ...first(picker!.displayOptions?.show as Record<string, unknown[]>) } });
			}
		}
	}
	if (description.displayName.toLowerCase().includes('trigger')) {
		const events = description.properties.find((p) => ['event', 'events', 'trigger on'].includes(p.displayName.toLowerCase()));
		for (const event of (events?.options ?? []) as INodePropertyOptions[]) {
			out.push({ label: 'Triggers', name: event.action ?? event.name, values: { [events!.name]: event.value, ...first(events!.displayOptions?.show as Record<string, unknown[]>) } });
		}
	}
	return out;
}

describe("n8n's node panel lists the Chat Channel actions and events once, each starting a node that runs", () => {
	it('Chat Channel: every operation of every channel once, each on a channel that can do it', () => {
		const actions = nodePanelActions(TYPES.chatChannel.description);
		const names = actions.map((a) => `${a.label}: ${a.name}`);
		expect(names).toEqual([...new Set(names)]);
		// every operation some channel offers is in the list
		const offered = new Set<string>();
		for (const channel of optionValues(TYPES.chatChannel, 'channel', {})) {
			for (const resource of optionValues(TYPES.chatChannel, 'resource', { channel })) {
				for (const operation of optionValues(TYPES.chatChannel, 'operation', { channel, resource })) offered.add(`${resource}:${operation}`);
			}
		}
		expect(actions.map((a) => `${a.values.resource}:${a.values.operation}`).sort()).toEqual([...offered].sort());
		// the node an action adds (its values, the rest defaults) is on a channel that offers the operation
		for (const action of actions) {
			const node = { parameters: action.values, typeVersion: 1 } as unknown as INode;
			const parameters = NodeHelpers.getNodeParameters(TYPES.chatChannel.description.properties, action.values, true, false, node, TYPES.chatChannel.description)!;
			const operations = optionValues(TYPES.chatChannel, 'operation', parameters);
			expect([action.name, parameters.channel, operations]).toEqual([action.name, parameters.channel, expect.arrayContaining([action.values.operation])]);
		}
		// an operation only some channels offer names them, from the registry (a new channel joins the list)
		const on = (what: string, resource: string, operation: string) =>
			`${what} on ${Object.values(adapters).filter((adapter) => offers(adapter, resource, operation)).map((adapter) => adapter.displayName).join(' or ')}`;
		expect(actions.map((a) => a.name)).toEqual(
			expect.arrayContaining(['Send a text message', on('Send a template message', 'message', 'sendTemplate'), on('Edit a message', 'message', 'edit'), on('Answer a button press', 'callback', 'answer')]),
		);
		expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^Send a template message on WhatsApp \(Twilio\)/), expect.stringMatching(/^Edit a message on Telegram or /)]));
	});

	it('Chat Channel Trigger: one event per channel, in its words, starting the trigger on that channel', () => {
		const events = nodePanelActions(TYPES.chatChannelTrigger.description);
		expect(events.map((e) => [e.name, e.values.channel])).toEqual(
			optionValues(TYPES.chatChannelTrigger, 'channel', {}).map((channel) => [`On a new ${adapters[channel as keyof typeof adapters].displayName} message`, channel]),
		);
		// the parameter behind them is never one more field in the node's panel
		for (const channel of optionValues(TYPES.chatChannelTrigger, 'channel', {})) {
			expect(shownParameters(TYPES.chatChannelTrigger, { channel }).filter((p) => p.name === 'channel')).toEqual([expect.objectContaining({ displayName: 'Channel' })]);
		}
	});

	it('the panel header (the trigger\'s description, n8n shows it for both nodes) speaks of both', () => {
		const description = TYPES.chatChannelTrigger.description.description;
		expect(description).toMatch(/writes/);
		expect(description).toMatch(/repl/i);
	});
});
