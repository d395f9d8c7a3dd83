/**
 * The conversation drivers: one per channel, test/nodes/conversations/drivers/<channel>.ts
 * exporting `driver` (a `ChannelDriver`, ./types.ts). A driver starts the channel's emulator and
 * drives it as the channel's customers would (`write`, `edit`, `shareLocation`, `received`, the
 * send faults), and declares what differs between channels as capabilities (`title`,
 * `customerEdits`, `customerFileNames`, `replies`, `formatting`, `refusal`); the
 * rest comes from the channel's adapter (`actions.editText` / `deleteMessage`,
 * `conversation.files`, `displayName`). The conversation tests (../setup.ts `startBridge`) run
 * for every channel of the registry that has a driver (`CHANNELS`) and never name a channel in
 * a branch: adding a channel adds its driver and edits no test. test/unit/channel-completeness.test.ts
 * fails for an adapter without a driver, except those in `WITHOUT_DRIVER`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { adapters } from '../../../../nodes/channels';
import type { ChannelDriver } from './types';

/**
 * Channels that have no conversation driver, and why (none now: Website Chat's visitors are
 * driven through the widget's endpoints, ./website.ts).
 */
export const WITHOUT_DRIVER: Record<string, string> = {};

/** The driver of a channel: `driver` of ./<channel>.ts, or undefined when there is none. */
export function driverOf(channel: string): ChannelDriver | undefined {
	const file = path.join(__dirname, `${channel}.ts`);
	if (!/^[a-z][a-z0-9]*$/.test(channel) || !fs.existsSync(file)) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the file named after the channel
	return (require(file) as { driver?: ChannelDriver }).driver;
}

/** The driver of a channel that has one (a test's own channel). */
export function theDriver(channel: string): ChannelDriver {
	const driver = driverOf(channel);
	if (!driver) throw new Error(`no conversation driver test/nodes/conversations/drivers/${channel}.ts`);
	return driver;
}

/** The registry's channels that have a conversation driver, in the registry's order. */
export const CHANNELS: string[] = Object.keys(adapters).filter(
	(name) => !(name in WITHOUT_DRIVER) && driverOf(name) !== undefined,
);
