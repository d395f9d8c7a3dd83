/**
 * The in-process stores of the channel nodes, built on the package's one bounded store
 * (nodes/shared/dedupe.ts).
 *
 * - `seenEvents`: event ids a channel trigger has already started a workflow for. Webhook mode
 *   cannot keep them in static data: the execution a webhook call starts saves its own copy of
 *   static data afterwards, overwriting what `webhook()` wrote. Guarantees: within one n8n
 *   process, the same delivery starts at most one execution among the last 10 000 deliveries
 *   (24 h); it does not survive a restart and is not shared between n8n instances (queue mode).
 * - `acceptedParts`: message parts a channel accepted, per item, so that n8n's "Retry On Fail"
 *   re-running the node does not send them again (kept 1 h: long enough for node retries).
 */
import { BoundedMap, RecentIds } from '../shared/dedupe';

export const seenEvents = new RecentIds(10_000, 24 * 60 * 60 * 1000);

export const acceptedParts = new BoundedMap<Record<string, unknown>>(20_000, 60 * 60 * 1000);
