/**
 * Adding a channel (README, "Adding a channel"): every piece a channel needs besides its adapter,
 * checked for every adapter of the registry (nodes/channels/index.ts). A piece that is missing fails
 * with a line saying which piece and where it goes. The adapter's own shape (actions, limits,
 * conversation rules) is the compiler's: `ChannelAdapter` in nodes/channels/types.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ICredentialType } from 'n8n-workflow';

import { adapters, CHANNEL_OPTIONS, type ChannelAdapter } from '../../nodes/channels';
import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { kitOf } from '../nodes/conformance/kit';
import { driverOf, WITHOUT_DRIVER } from '../nodes/conversations/drivers';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const exists = (file: string) => fs.existsSync(path.join(ROOT, file));

/** Every credential type of credentials/: its `name` → the file it is in. */
function credentialFiles(): Map<string, { file: string; type: ICredentialType }> {
	const found = new Map<string, { file: string; type: ICredentialType }>();
	for (const file of fs.readdirSync(path.join(ROOT, 'credentials'))) {
		if (!file.endsWith('.credentials.ts')) continue;
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- every file of the folder
		const module = require(path.join(ROOT, 'credentials', file)) as Record<string, unknown>;
		for (const value of Object.values(module)) {
			if (typeof value !== 'function' || !String(value).startsWith('class ')) continue;
			const type = new (value as new () => ICredentialType)();
			if (typeof type.name === 'string') found.set(type.name, { file, type });
		}
	}
	return found;
}

/** Every class the emulator modules of test/emulators/ export. */
function emulatorClasses(): Set<unknown> {
	const classes = new Set<unknown>();
	const folder = path.join(ROOT, 'test', 'emulators');
	for (const file of fs.readdirSync(folder)) {
		if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- every emulator module
		for (const value of Object.values(require(path.join(folder, file)) as Record<string, unknown>)) {
			if (typeof value === 'function' && String(value).startsWith('class ')) classes.add(value);
		}
	}
	return classes;
}

/** The source files of a channel's folder, by name. */
function folderSources(name: string): Map<string, string> {
	const folder = `nodes/channels/${name}`;
	const files = new Map<string, string>();
	if (!exists(folder)) return files;
	for (const file of fs.readdirSync(path.join(ROOT, folder)))
		if (file.endsWith('.ts')) files.set(file, read(`${folder}/${file}`));
	return files;
}

/** The descriptions of both Chat Channel nodes' fields and options, by name (a name may have several). */
function fieldTexts(): Map<string, string[]> {
	const texts = new Map<string, string[]>();
	const walk = (items: unknown[]) => {
		for (const item of items as Array<{ name?: string; description?: string; options?: unknown[]; values?: unknown[] }>) {
			if (typeof item !== 'object' || item === null) continue;
			if (item.name && item.description) texts.set(item.name, [...(texts.get(item.name) ?? []), item.description]);
			if (Array.isArray(item.options)) walk(item.options);
			if (Array.isArray(item.values)) walk(item.values);
		}
	};
	for (const node of [new ChatChannel(), new ChatChannelTrigger()]) walk(node.description.properties);
	return texts;
}

/** What the channel `name` lacks, one line per piece (empty: complete). */
function missingPieces(name: string, adapter: ChannelAdapter): string[] {
	const missing: string[] = [];
	const folder = `nodes/channels/${name}`;
	const sources = folderSources(name);

	// 1. the adapter: its folder, registered under its own name
	if (!sources.has('index.ts')) missing.push(`${folder}/index.ts: the folder exporting the adapter`);
	if (adapter.name !== name) missing.push(`nodes/channels/index.ts: the adapter registered as "${name}" is named "${adapter.name}"`);
	if (!CHANNEL_OPTIONS.some((option) => option.value === name)) missing.push(`the Channel picker has no option "${name}"`);

	// 2. the format converters, in the channel's own folder, used by it; no channel imports the bridge
	const format = sources.get('format.ts');
	if (!format) missing.push(`${folder}/format.ts: the converters between TeamSpirit markdown and the channel's text`);
	else if (!/^export (async )?function /m.test(format)) missing.push(`${folder}/format.ts exports no converter function`);
	else if (![...sources].some(([file, text]) => file !== 'format.ts' && /from '\.\/format'/.test(text)))
		missing.push(`${folder}: no file uses ./format (conversation.ts converts with it)`);
	for (const [file, text] of sources)
		if (/from '\.\.\/\.\.\/conversations/.test(text)) missing.push(`${folder}/${file} imports nodes/conversations/ (channels never import the bridge)`);

	// 3. the credential: a file in credentials/, listed in package.json, with authenticate and test
	const credential = credentialFiles().get(adapter.credentialType);
	if (!credential) {
		missing.push(`credentials/*.credentials.ts: no credential type named "${adapter.credentialType}" (the adapter's credentialType)`);
	} else {
		const built = `dist/credentials/${credential.file.replace(/\.ts$/, '.js')}`;
		const listed = (JSON.parse(read('package.json')) as { n8n: { credentials: string[] } }).n8n.credentials;
		if (!listed.includes(built)) missing.push(`package.json n8n.credentials: "${built}" is not listed (n8n would not load the credential)`);
		if (!credential.type.authenticate) missing.push(`credentials/${credential.file}: no authenticate`);
		if (!credential.type.test) missing.push(`credentials/${credential.file}: no test (the credential's Test button)`);
	}

	// 4. the conformance kit, and the emulator it runs against
	const kit = kitOf(name);
	if (!kit) {
		missing.push(`test/nodes/conformance/${name}.ts: the channel's conformance kit (export const kit)`);
	} else {
		if (kit.name !== name) missing.push(`test/nodes/conformance/${name}.ts: the kit is named "${kit.name}"`);
		if (!emulatorClasses().has(kit.emulator)) missing.push(`test/emulators/: the kit's emulator is not a class exported by a module there`);
		if (!exists(`test/nodes/ChatChannel/workflows/${kit.fixture}.json`)) missing.push(`test/nodes/ChatChannel/workflows/${kit.fixture}.json: the kit's Send Text workflow`);
	}

	// 5. the conversation driver: the conversation tests run for every channel that has one
	if (!(name in WITHOUT_DRIVER)) {
		const driver = driverOf(name);
		if (!driver) missing.push(`test/nodes/conversations/drivers/${name}.ts: the channel's conversation driver (export const driver)`);
		else if (driver.name !== name) missing.push(`test/nodes/conversations/drivers/${name}.ts: the driver is named "${driver.name}"`);
	}

	// 6. the user's documentation: the nodes' descriptions (n8n's node panel) and a README section
	for (const node of [new ChatChannel(), new ChatChannelTrigger()])
		if (!node.description.description.includes(adapter.displayName))
			missing.push(`the ${node.description.displayName} node's description does not name "${adapter.displayName}"`);
	// the field texts that speak of every channel are written from the registry (nodes/channels/texts.ts)
	const texts = fieldTexts();
	const says = (field: string, part: string, why: string) => {
		if (!texts.get(field)?.some((text) => text.includes(part))) missing.push(`the Chat Channel field "${field}" does not say ${why} ("${part}"): write it from nodes/channels/texts.ts`);
	};
	says('conversationId', adapter.conversationId.description, "how the channel's conversation ID looks");
	says('text', `${adapter.displayName}: ${adapter.maxTextLength}`, "the channel's text length");
	says('caption', `${adapter.displayName}: ${adapter.maxCaptionLength}`, "the channel's caption length");
	if (adapter.templateId) says('templateId', adapter.templateId.description, "how the channel's template ID looks");
	if (adapter.redelivery) says('After the Workflow Has Run', `${adapter.displayName}: ${adapter.redelivery}`, 'when the channel sends a delivery again');
	for (const node of [new ChatChannel(), new ChatChannelTrigger()])
		if (!node.description.codex?.alias?.includes(adapter.displayName))
			missing.push(`the ${node.description.displayName} node's codex (n8n's node search) has no alias "${adapter.displayName}"`);
	if (!read('README.md').split('\n').includes(`### ${adapter.displayName}`))
		missing.push(`README.md: a section "### ${adapter.displayName}" under "Chat Channel and Chat Channel Trigger" (credential, receiving, sending)`);
	return missing;
}

describe('every channel of the registry has every piece (README, "Adding a channel")', () => {
	it.each(Object.entries(adapters))('%s', (name, adapter) => {
		expect({ channel: name, missing: missingPieces(name, adapter) }).toEqual({ channel: name, missing: [] });
	});
});
