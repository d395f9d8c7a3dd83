/**
 * One n8n shared by the e2e suites that can share a configuration (opt-in). Every `n8n start` costs
 * about 16 s of CPU before it is ready (measured on the CI machine's kind, 2 cores), and a suite that
 * starts its own also installs the package and pays one n8n boot (~5 s of CPU) per CLI call. A suite
 * that only needs a published workflow in a default n8n (baseN8nEnv, the package installed, no
 * restart, no special environment) can use this one instead:
 *
 *   let shared: SharedN8n;
 *   beforeAll(async () => {
 *     shared = await sharedN8n();                           // started by the first suite that asks
 *     await shared.importCredentials([credentialFor.teamSpirit('forms-teamspirit', ts)]);
 *     const [id] = await shared.publishWorkflows([workflow]); // active at once (no restart)
 *   });
 *   afterAll(async () => await shared?.release());          // deactivates this suite's workflows
 *
 * Rules for a sharing suite: credential ids unique to the suite (prefix them with its name), no
 * restart of n8n (a suite that restarts, or needs its own environment, keeps its own startN8n), and
 * no assertion over everything n8n printed or every execution n8n ran (other suites' show up too:
 * filter by your workflow ids). The process lives until jest ends: jest.e2e.config.js's
 * globalSetup (test/e2e/global-setup.js) names a state file, globalTeardown stops n8n by its pid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	assignWebhookIds,
	baseN8nEnv,
	createN8nHome,
	type CredentialImport,
	importCredentials,
	installPackageTarball,
	N8nEditor,
	type N8nHome,
	type RunningN8n,
	startN8n,
	type WorkflowJson,
} from './n8n';

interface SharedState {
	url: string;
	port: number;
	brokerPort: number;
	pid: number;
	homeDir: string;
	/** Everything n8n printed, appended as it comes. */
	logFile: string;
	/** The owner's session cookie: every suite uses it (n8n allows 5 logins a minute per user). */
	session: string;
}

export interface SharedN8n {
	/** `http://127.0.0.1:<port>` */
	url: string;
	/** `${url}/webhook/` */
	webhookBaseUrl: string;
	/** As a suite's own startN8n gives it, except stop(), which is globalTeardown's. */
	n8n: Omit<RunningN8n, 'stop'>;
	/** The shared home (for n8n CLI calls beside the running n8n). */
	home: N8nHome;
	/**
	 * The instance owner's session (set up by the suite that started n8n). A suite's own N8nEditor
	 * takes it with `useSession(shared.editor.session)`: n8n allows 5 logins a minute per user.
	 */
	editor: N8nEditor;
	/** `n8n import:credentials` beside the running n8n (n8n reads credentials from its DB at use). */
	importCredentials(creds: CredentialImport[]): Promise<void>;
	/**
	 * Creates credentials through the REST API, as the editor does (no n8n boot): returns their
	 * ids, which n8n picks (point the workflows' `credentials` at them).
	 */
	createCredentials(creds: Array<Omit<CredentialImport, 'id'>>): Promise<string[]>;
	/**
	 * `creds` (with the ids the suite's workflows name) created through the REST API, and every
	 * reference to one of those ids in `workflows` pointed at the id n8n gave it: the suite keeps its
	 * ids, n8n boots no CLI, and another suite's credential of the same id is left alone.
	 */
	useCredentials(creds: CredentialImport[], workflows: WorkflowJson[]): Promise<void>;
	/** Creates the workflows through the REST API and publishes each: live at once. Returns their ids. */
	publishWorkflows(workflows: WorkflowJson[]): Promise<string[]>;
	/** Deactivates every workflow this suite published (call it in afterAll). */
	release(): Promise<void>;
}

function stateFile(): string {
	const file = process.env.TS_E2E_SHARED_STATE;
	if (!file) throw new Error('TS_E2E_SHARED_STATE is not set: run the e2e tests with `npm run test:e2e` (jest.e2e.config.js globalSetup)');
	return file;
}

function homeAt(dir: string): N8nHome {
	const dataDir = path.join(dir, '.n8n');
	// removed by globalTeardown, after the last suite
	return { dir, dataDir, nodesDir: path.join(dataDir, 'nodes'), env: baseN8nEnv(dir), cleanup: async () => {} };
}

async function startShared(file: string): Promise<SharedState> {
	const tarball = process.env.TS_PACKAGE_TARBALL;
	if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run the e2e tests with `npm run test:e2e` (scripts/e2e.sh)');
	const home = await createN8nHome({ prefix: 'n8n-e2e-shared-' });
	let n8n: RunningN8n | undefined;
	try {
		await installPackageTarball(home, tarball);
		// n8n outlives this suite: its output goes to a file every sharing suite can read
		const logFile = path.join(home.dir, 'n8n-output.log');
		const log = fs.createWriteStream(logFile, { flags: 'a' });
		// the pid is on file from the moment n8n exists: should jest die before n8n is ready, scripts/e2e.sh's
		// exit trap still finds it (globalTeardown reads the same file)
		const spawned = (pid: number) => fs.writeFileSync(file, JSON.stringify({ pid, homeDir: home.dir, starting: true }));
		n8n = await startN8n(home, { onOutput: (chunk) => log.write(chunk), onSpawn: spawned });
		const url = n8n.url;
		const owner = new N8nEditor(() => url);
		await owner.setUpOwner();
		if (!owner.session) await owner.login();
		const state: SharedState = { url, port: n8n.port, brokerPort: n8n.brokerPort, pid: n8n.pid, homeDir: home.dir, logFile, session: owner.session };
		await fs.promises.writeFile(file, JSON.stringify(state));
		return state;
	} catch (error) {
		// no state file: globalTeardown knows nothing of this one, and the next suite tries again
		await n8n?.stop();
		await fs.promises.rm(file, { force: true });
		await home.cleanup();
		throw error;
	}
}

/**
 * The state another suite wrote, once its n8n is ready; undefined when none was started or its start
 * failed (a suite whose beforeAll timed out may still be starting it: wait for that start to end).
 */
async function startedState(file: string): Promise<SharedState | undefined> {
	const deadline = Date.now() + 300_000;
	for (;;) {
		if (!fs.existsSync(file)) return undefined;
		const state = JSON.parse(await fs.promises.readFile(file, 'utf8')) as SharedState & { starting?: true };
		if (!state.starting) return state;
		if (Date.now() > deadline) throw new Error(`the shared n8n (pid ${state.pid}) is still starting after 300 s`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

/** The shared n8n, started on first use in this jest run. */
export async function sharedN8n(): Promise<SharedN8n> {
	const file = stateFile();
	const state = (await startedState(file)) ?? (await startShared(file));
	const home = homeAt(state.homeDir);
	const editor = new N8nEditor(() => state.url);
	editor.useSession(state.session);
	const published: string[] = [];
	const webhookBaseUrl = `${state.url}/webhook/`;
	const output = () => fs.readFileSync(state.logFile, 'utf8');
	const createCredentials: SharedN8n['createCredentials'] = async (creds) => {
		const ids: string[] = [];
		for (const { name, type, data } of creds) {
			const made = await editor.call('POST', '/credentials', { name, type, data });
			// the answer names the credential, never its data
			if (made.status !== 200) throw new Error(`create credential ${name} (${type}): ${made.status} ${made.json?.message ?? ''}`);
			ids.push(String(made.json.data.id));
		}
		return ids;
	};
	return {
		url: state.url,
		webhookBaseUrl,
		n8n: { url: state.url, webhookBaseUrl, port: state.port, brokerPort: state.brokerPort, pid: state.pid, output },
		home,
		editor,
		async importCredentials(creds) {
			await importCredentials(home, creds);
		},
		createCredentials,
		async useCredentials(creds, workflows) {
			const made = await createCredentials(creds.map(({ name, type, data }) => ({ name, type, data })));
			const byId = new Map(creds.map((c, i) => [c.id, { id: made[i], name: c.name }]));
			for (const workflow of workflows)
				for (const node of workflow.nodes)
					for (const [type, ref] of Object.entries((node.credentials ?? {}) as Record<string, { id?: string }>)) {
						const to = ref.id === undefined ? undefined : byId.get(ref.id);
						if (to) node.credentials[type] = { ...to };
					}
		},
		async publishWorkflows(workflows) {
			const ids: string[] = [];
			for (const workflow of workflows) {
				const { id: _id, ...body } = assignWebhookIds(workflow);
				const made = await editor.call('POST', '/workflows', { ...body, active: false });
				if (made.status !== 200) throw new Error(`create workflow ${workflow.name}: ${made.status} ${JSON.stringify(made.json)}`);
				const id = String(made.json.data.id);
				workflow.id = id;
				await editor.publish(id);
				published.push(id);
				ids.push(id);
			}
			return ids;
		},
		async release() {
			for (const id of published.splice(0)) {
				const r = await editor.call('POST', `/workflows/${id}/deactivate`, {});
				if (r.status !== 200) throw new Error(`deactivate workflow ${id}: ${r.status} ${JSON.stringify(r.json)}`);
			}
		},
	};
}
