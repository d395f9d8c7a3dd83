/**
 * Process-wide n8n-core environment for the harness: DI container wiring, the
 * capturing logger and the BinaryDataService in filesystem (or in-memory) mode,
 * configured the same way a real n8n instance does it from its env variables.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import {
	BinaryDataConfig,
	BinaryDataService,
	Cipher,
	EncryptionKeyProxy,
	ErrorReporter,
	InstanceSettings,
	type KeyInfo,
} from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { initDeduplication } from './deduplication';
import { CapturingLogger } from './logger';

/** `filesystem` = N8N_DEFAULT_BINARY_DATA_MODE=filesystem; `default` = in-memory base64. */
export type BinaryMode = 'filesystem' | 'default';

interface Environment {
	rootDir: string;
	storagePath: string;
	logger: CapturingLogger;
	binaryDataServices: Record<BinaryMode, BinaryDataService>;
}

let rootDir: string | undefined;
let ready: Promise<Environment> | undefined;

/** The harness' logger; exists before any run so tests can inspect it directly. */
export const capturingLogger = new CapturingLogger();

/**
 * The DI container must be the one n8n-core itself uses. npm hoists `@n8n/di`
 * (a dependency of n8n-core) next to it; fail loudly if that ever changes.
 */
function assertSharedContainer(): void {
	const ours = require.resolve('@n8n/di');
	const coreDir = path.dirname(require.resolve('n8n-core/package.json'));
	const theirs = require.resolve('@n8n/di', { paths: [coreDir] });
	if (ours !== theirs) {
		throw new Error(`@n8n/di resolves to ${ours} here but to ${theirs} for n8n-core`);
	}
}

/** Copy of a class instance (prototype kept) with some fields overridden. */
function withOverrides<T extends object>(base: T, overrides: Partial<T>): T {
	const copy = Object.create(Object.getPrototypeOf(base) as object) as T;
	return Object.assign(copy, base, overrides);
}

/**
 * n8n 2.x encrypts credentials with data keys from a key provider that the CLI
 * backs with its database. Provide the legacy descriptor instead: the instance
 * key itself (aes-256-cbc, un-prefixed ciphertexts), as on an instance whose
 * credentials predate key rotation.
 */
function installLegacyEncryptionKey(): void {
	const { encryptionKey } = Container.get(InstanceSettings);
	const legacy: KeyInfo = {
		id: 'legacy',
		value: Container.get(Cipher).encryptDEKWithInstanceKey(encryptionKey),
		algorithm: 'aes-256-cbc',
		format: 'no-prefix',
	};
	Container.get(EncryptionKeyProxy).setProvider({
		getActiveKey: async () => legacy,
		getKeyById: async (id) => (id === legacy.id ? legacy : null),
		getLegacyKey: async () => legacy,
	});
}

async function setUp(): Promise<Environment> {
	assertSharedContainer();

	rootDir ??= mkdtempSync(path.join(tmpdir(), 'n8n-nodes-teamspirit-harness-'));
	const userFolder = path.join(rootDir, 'user');
	const storagePath = path.join(rootDir, 'storage');
	mkdirSync(userFolder, { recursive: true });
	mkdirSync(storagePath, { recursive: true });

	// Read by @n8n/config when the config classes are first built by the container.
	process.env.N8N_USER_FOLDER = userFolder;
	process.env.N8N_ENCRYPTION_KEY ??= 'n8n-nodes-teamspirit-harness-key';
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';
	process.env.N8N_BINARY_DATA_STORAGE_PATH = storagePath;

	// Logger first: InstanceSettings, StorageConfig and BinaryDataService get it injected.
	// The capturing logger implements the public surface of backend-common's Logger
	// (error/warn/info/debug/scoped); the class itself has private winston members.
	Container.set(Logger, capturingLogger as unknown as Logger);
	LoggerProxy.init(capturingLogger);

	installLegacyEncryptionKey();
	await initDeduplication();

	const filesystem = Container.get(BinaryDataService);
	await filesystem.init();

	const config = Container.get(BinaryDataConfig);
	if (config.mode !== 'filesystem' || config.localStoragePath !== storagePath) {
		throw new Error(
			`BinaryDataConfig was built before the harness set its env (mode=${config.mode}, ` +
				`path=${config.localStoragePath}); import the harness before using n8n-core's container`,
		);
	}

	const inMemory = new BinaryDataService(
		withOverrides(config, { mode: 'default' }),
		Container.get(ErrorReporter),
		Container.get(Logger),
	);
	await inMemory.init();

	return {
		rootDir,
		storagePath,
		logger: capturingLogger,
		binaryDataServices: { filesystem, default: inMemory },
	};
}

export async function ensureEnvironment(): Promise<Environment> {
	ready ??= setUp();
	try {
		return await ready;
	} catch (error) {
		ready = undefined;
		throw error;
	}
}

/** Makes `this.helpers.*Binary*` of the following executions use the given mode. */
export async function useBinaryMode(mode: BinaryMode): Promise<BinaryDataService> {
	const env = await ensureEnvironment();
	const service = env.binaryDataServices[mode];
	Container.set(BinaryDataService, service);
	return service;
}

/** Directory where filesystem-mode binary data is written (for assertions). */
export async function binaryStoragePath(): Promise<string> {
	return (await ensureEnvironment()).storagePath;
}

/** Removes the harness' temp directory (binary data, n8n user folder). Safe to call repeatedly. */
export async function cleanup(): Promise<void> {
	ready = undefined;
	if (rootDir) await rm(rootDir, { recursive: true, force: true });
}

process.once('exit', () => {
	if (rootDir) rmSync(rootDir, { recursive: true, force: true });
});
