/**
 * A channel's conformance kit: what the conformance suite (test/nodes/conformance.test.ts) needs to
 * know about one channel, everything that is not behaviour. One file per channel,
 * test/nodes/conformance/<channel>.ts, exporting `kit`; the suite runs every adapter of the registry
 * with the kit of its name, and test/unit/channel-completeness.test.ts fails for an adapter without one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject, ICredentialType } from 'n8n-workflow';

import type { WebhookTrigger } from '../../harness';

export interface Emulator {
	stop(): Promise<void>;
}

/**
 * One delivery to the trigger, as the channel sends it: `key` names the event (same key, same
 * event). `signature` makes it forged (signed with another secret) or leaves the signature out;
 * `file` attaches a file the channel hosts (the trigger downloads it); `unreadable` puts a value
 * into the event that the channel's reader cannot read.
 */
export interface Delivery {
	key: number;
	signature?: 'forged' | 'missing';
	file?: { name: string; bytes: Buffer };
	unreadable?: boolean;
}

/** What the suite needs to know about one channel: everything that is not behaviour. */
export interface ChannelKit<E extends Emulator = Emulator> {
	/** The channel (its adapter's `name`). */
	name: string;
	/** The emulator (a class exported by a module of test/emulators/) that stands in for the channel: real HTTP on 127.0.0.1. */
	emulator: { start(): Promise<E> };
	credentialType: ICredentialType;
	credentials(emu: E): ICredentialDataDecryptedObject;
	/** A Chat Channel workflow (test/nodes/ChatChannel/workflows/) sending `$json.text` with Send Text. */
	fixture: string;
	/** Three conversations that may be written to (users known, 24-hour windows open). */
	conversations(emu: E): string[];
	/** The messages that arrived in a conversation, oldest first. */
	sent(emu: E, conversationId: string): Array<{ id: string; text: string }>;
	/** The files that arrived in a conversation, oldest first: the URL the channel was given, or what was uploaded. */
	files(emu: E, conversationId: string): ReceivedFile[];
	/** HTTP status of every send request the channel answered, in order. */
	sendStatuses(emu: E): number[];
	/** The next send is refused with a 429 asking for a short wait. */
	inject429(emu: E): void;
	/** The Chat Channel Trigger's parameters beside `channel` for receiving by webhook. */
	triggerParameters: Record<string, unknown>;
	/**
	 * The trigger's parameters (beside `triggerParameters`) that download files with these options of
	 * its options collection (`maxDownloadMb`: "Max File Size"; `maxBatchMb`: "Max Download per Execution").
	 */
	downloadOptions(options: { maxDownloadMb?: number; maxBatchMb?: number }): Record<string, unknown>;
	/**
	 * Sends one inbound message to the trigger's webhook (text `hi <key>`), signed as the channel
	 * does (or not, see Delivery); its HTTP status.
	 */
	deliver(emu: E, hook: WebhookTrigger, delivery: Delivery): Promise<number>;
	/**
	 * Sends requests signed as the channel signs (where it signs bytes) that are not an event of the
	 * channel at all (bytes that do not parse, a body of another shape); their HTTP statuses.
	 */
	malformed(emu: E, hook: WebhookTrigger): Promise<number[]>;
	/** What the trigger answers `malformed` today, in order (each a 4xx: the channel does not resend it). */
	malformedStatuses: number[];
	/** Sends a genuine event of a kind the trigger does not take (unknown to it, or not selected); its HTTP status. */
	unknown(emu: E, hook: WebhookTrigger, key: number): Promise<number>;
	/** The notice an `unreadable` delivery's item carries (on the item, or on the attachment that could not be read). */
	unreadableNotice: RegExp;
}

export interface ReceivedFile {
	url?: string;
	upload?: { filename: string; size: number; sha256: string };
}

export const uploaded = (u: { filename: string; size: number; sha256: string }): ReceivedFile => ({ upload: { filename: u.filename, size: u.size, sha256: u.sha256 } });

/** A kit for emulator E, typed for the suite (which knows only `Emulator`). */
export const kit = <E extends Emulator>(k: ChannelKit<E>) => k as unknown as ChannelKit;

/** The kit of a channel: `kit` of test/nodes/conformance/<channel>.ts, or undefined when there is none. */
export function kitOf(channel: string): ChannelKit | undefined {
	const file = path.join(__dirname, `${channel}.ts`);
	if (!/^[a-z][a-z0-9]*$/.test(channel) || !fs.existsSync(file)) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the file named after the channel
	return (require(file) as { kit?: ChannelKit }).kit;
}
