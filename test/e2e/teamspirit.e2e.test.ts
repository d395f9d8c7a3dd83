/**
 * End to end: the packed package installed into a real n8n (as an admin installs it), its
 * nodes visible to n8n, and the README example workflow (examples/teamspirit-upload-file.json)
 * run by `n8n execute` against the TeamSpirit emulator.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh), which builds, packs and sets TS_PACKAGE_TARBALL.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { TeamSpiritEmulator } from '../emulators/teamspirit';
import {
	createN8nHome,
	executeWorkflow,
	exportNodes,
	formatTimings,
	importCredentials,
	importWorkflow,
	importWorkflows,
	installPackageTarball,
	nodeOutput,
	nodeTypesOfPackage,
	readTarballPackageJson,
	REPO_ROOT,
	timings,
	type InstalledPackage,
	type N8nHome,
	type WorkflowJson,
} from './n8n';

const PACKAGE = 'n8n-nodes-teamspirit';
const NODE_TYPE = `${PACKAGE}.teamSpirit`;
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'teamspirit-upload-file.json');

const tarball = process.env.TS_PACKAGE_TARBALL;

describe('n8n-nodes-teamspirit in a real n8n', () => {
	let home: N8nHome;
	let installed: InstalledPackage;
	let exported: Awaited<ReturnType<typeof exportNodes>> = [];
	const suiteStarted = Date.now();

	beforeAll(async () => {
		if (!tarball) {
			throw new Error('TS_PACKAGE_TARBALL is not set: run the e2e tests with `npm run test:e2e` (scripts/e2e.sh)');
		}
		home = await createN8nHome({ prefix: 'n8n-e2e-teamspirit-' });
		installed = await installPackageTarball(home, tarball);
	});

	afterAll(async () => {
		await home?.cleanup();
		timings.push({ label: 'suite total', ms: Date.now() - suiteStarted });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('installs as a community package without a second n8n-workflow', () => {
		expect(installed.name).toBe(PACKAGE);
		expect(fs.existsSync(path.join(home.nodesDir, 'node_modules', 'n8n-workflow'))).toBe(false);
		const nodesPkg = JSON.parse(fs.readFileSync(path.join(home.nodesDir, 'package.json'), 'utf8'));
		expect(Object.keys(nodesPkg.dependencies)).toEqual([PACKAGE]);
		for (const file of [...(installed.packageJson.n8n?.nodes ?? []), ...(installed.packageJson.n8n?.credentials ?? [])]) {
			expect(fs.existsSync(path.join(installed.dir, file))).toBe(true);
		}
	});

	it('n8n export:nodes lists every node of the package under its real type name', async () => {
		const pkg = await readTarballPackageJson(tarball!);
		const expected = nodeTypesOfPackage(pkg);
		expect(expected).toContain(NODE_TYPE);

		const nodes = await exportNodes(home);
		exported = nodes;
		const ours = new Set(nodes.map((n) => n.name).filter((n) => n.startsWith(`${PACKAGE}.`)));
		for (const type of expected) expect(ours).toContain(type);
		// n8n adds a `<type>Tool` variant (for AI agents) of every node that is usableAsTool, and a
		// `<type>HitlTool` (human review) of every node with a sendAndWait operation and webhooks
		const extra = [...ours].filter((n) => !expected.includes(n));
		for (const type of extra) expect(expected).toContain(type.replace(/(Hitl)?Tool$/, ''));
		expect(ours).toContain(`${NODE_TYPE}Tool`);
		// not loaded as a custom extension (that would be CUSTOM.teamSpirit)
		expect(nodes.some((n) => n.name.startsWith('CUSTOM.'))).toBe(false);

		const teamSpirit = nodes.find((n) => n.name === NODE_TYPE)!;
		expect(teamSpirit.credentials?.map((c) => c.name)).toContain('teamSpiritApi');
	});

	it('every example workflow uses node types and versions this n8n has, and imports', async () => {
		expect(exported.length).toBeGreaterThan(0);
		const versions = new Map<string, number[]>();
		for (const n of exported) versions.set(n.name, [...(versions.get(n.name) ?? []), ...[n.version].flat()]);
		const dir = path.join(REPO_ROOT, 'examples');
		const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
		expect(files.length).toBeGreaterThanOrEqual(5);
		const workflows = files.map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as WorkflowJson);
		files.forEach((file, i) => {
			for (const node of workflows[i].nodes) {
				expect({ file, node: node.name, type: node.type, known: versions.get(node.type)?.includes(node.typeVersion) ?? false }).toEqual({
					file,
					node: node.name,
					type: node.type,
					known: true,
				});
			}
		});
		// one `n8n import:workflow` for all of them (each CLI call boots n8n: seconds); n8n imports
		// them one by one and the call fails on the first that does not import
		const ids = await importWorkflows(home, workflows);
		expect(ids).toHaveLength(files.length);
	});

	describe('README example: upload a file', () => {
		let ts: TeamSpiritEmulator;

		beforeAll(async () => {
			ts = await TeamSpiritEmulator.start();
		});

		afterAll(async () => {
			await ts?.stop();
		});

		it('n8n execute uploads hello.txt and posts it into the chat with the caption', async () => {
			const chat = ts.addChat({ title: 'General' });

			await importCredentials(home, [
				{
					id: 'teamspirit-example',
					name: 'TeamSpirit account',
					type: 'teamSpiritApi',
					data: { serverUrl: ts.url, apiKey: ts.apiKey },
				},
			]);

			const workflow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
			const upload = workflow.nodes.find((n) => n.type === NODE_TYPE);
			expect(upload).toBeDefined();
			expect(upload!.parameters.chatId).toMatchObject({ __rl: true, mode: 'id', value: 'c_general' });
			upload!.parameters.chatId.value = chat.id;
			const workflowId = await importWorkflow(home, workflow);

			const run = await executeWorkflow(home, workflowId, { timeoutMs: 120_000 });
			const output = run.stdout + run.stderr;
			if (!run.ok) {
				const seen = ts.requests
					.map((r) => `${r.method} ${r.path} -> ${r.status || 'no answer'} ${JSON.stringify({ headers: r.headers, body: r.body })}`)
					.join('\n');
				throw new Error(
					`n8n execute failed (${run.timedOut ? 'timed out' : `exit ${run.code}`}):\n${output.slice(-8000)}\n` +
						`--- emulator saw ---\n${seen || '(no requests)'}`,
				);
			}

			// exactly one upload: hello.txt with the Set node's text
			const uploads = ts.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/files');
			expect(uploads).toHaveLength(1);
			expect(uploads[0].status).toBeGreaterThanOrEqual(200);
			expect(uploads[0].status).toBeLessThan(300);
			expect(ts.files.size).toBe(1);
			const [stored] = [...ts.files.values()];
			expect(stored.meta.name).toBe('hello.txt');
			expect(stored.meta.mimeType).toMatch(/^text\/plain/);
			expect(ts.fileContent(stored.meta.id).toString('utf8')).toBe('Hello from n8n');

			// exactly one message in the chat: the caption with that file attached
			const messages = ts.messagesIn(chat.id);
			expect(messages).toHaveLength(1);
			expect(messages[0].text).toBe('Report from n8n');
			expect(messages[0].files.map((f) => f.id)).toEqual([stored.meta.id]);
			const posts = ts.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/chats/${chat.id}/messages`);
			expect(posts).toHaveLength(1);
			expect(posts[0].body).toMatchObject({ text: 'Report from n8n', fileIds: [stored.meta.id] });

			// the node's output item is the posted message
			const items = nodeOutput(run.result, upload!.name);
			expect(items).toHaveLength(1);
			expect(JSON.stringify(items[0])).toContain(messages[0].id);

			// the API key never shows up in what n8n printed
			expect(output).not.toContain(ts.apiKey);
		});
	});
});
