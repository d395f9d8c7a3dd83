/**
 * n8n's shared dedupe store (`this.helpers.checkProcessedAndRecord`, …) for the harness.
 *
 * n8n-core only forwards these helpers to a `DataDeduplicationService` the CLI initialises with
 * its `DeduplicationHelper` (n8n/dist/deduplication/deduplication-helper.js), which keeps one row
 * per workflow and scope (`processed_data`: primary key `(workflowId, context)`, the values md5-
 * hashed in a JSON list). This is the same contract on a Map, including what makes it non-atomic:
 * the row is read, then written back whole after the database's round trip (`latencyMs`), so two
 * executions recording at the same moment both see a value as new and the later write drops the
 * earlier one's values; only the first insert of a row is guarded (a second one fails like a
 * primary key violation).
 */
import { createHash } from 'node:crypto';

import { DataDeduplicationService } from 'n8n-core';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

interface Row {
	mode: string;
	data: string[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class InMemoryProcessedData implements IDataDeduplicator {
	/** `${workflowId}|${context}` → row, as the table holds it. */
	readonly rows = new Map<string, Row>();
	/** Statements run: reads (`findOne`) and writes (`insert`, `update`, `delete`). */
	readonly statements = { reads: 0, writes: 0 };

	constructor(public latencyMs = 2) {}

	private static context(scope: DeduplicationScope, contextData: ICheckProcessedContextData) {
		if (scope !== 'node') return '';
		if (!contextData.node) throw new Error("No node information has been provided and so cannot use scope 'node'");
		return `n:${contextData.node.id}`;
	}

	private static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(value.toString()).digest('base64');
	}

	private rowKey(scope: DeduplicationScope, contextData: ICheckProcessedContextData): string {
		if (!contextData.workflow.id) throw new Error('The workflow has no id');
		return `${contextData.workflow.id}|${InMemoryProcessedData.context(scope, contextData)}`;
	}

	/** `findOne`: a copy of the row, as the database returns it. */
	private async read(key: string): Promise<Row | undefined> {
		this.statements.reads++;
		await pause(this.latencyMs);
		const row = this.rows.get(key);
		return row ? { mode: row.mode, data: [...row.data] } : undefined;
	}

	private async write(key: string, row: Row, insert: boolean): Promise<void> {
		this.statements.writes++;
		await pause(this.latencyMs);
		if (insert && this.rows.has(key))
			throw new Error('duplicate key value violates unique constraint "PK_processed_data"');
		// an update of a row deleted meanwhile changes nothing, as in SQL
		if (!insert && !this.rows.has(key)) return;
		this.rows.set(key, row);
	}

	async checkProcessedAndRecord(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
		options: ICheckProcessedOptions,
	): Promise<IDeduplicationOutput> {
		if (options.mode !== 'entries') throw new Error(`The harness stores mode "entries" only, not "${options.mode}"`);
		const key = this.rowKey(scope, contextData);
		const row = await this.read(key);
		if (row && row.mode !== options.mode)
			throw new Error('Deduplication data was originally saved with an incompatible setting');
		const hashes = items.map((item) => InMemoryProcessedData.hash(item));
		if (!row) {
			const data = options.maxEntries ? hashes.slice(-options.maxEntries) : hashes;
			await this.write(key, { mode: options.mode, data }, true);
			return { new: items, processed: [] };
		}
		const known = new Set(row.data);
		const output: IDeduplicationOutput = { new: [], processed: [] };
		hashes.forEach((hash, index) => {
			if (known.has(hash)) output.processed.push(items[index]);
			else {
				output.new.push(items[index]);
				row.data.push(hash);
			}
		});
		if (options.maxEntries) row.data.splice(0, row.data.length - options.maxEntries);
		await this.write(key, row, false);
		return output;
	}

	async removeProcessed(
		items: DeduplicationItemTypes[],
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		const key = this.rowKey(scope, contextData);
		const row = await this.read(key);
		if (!row) return;
		const gone = new Set(items.map((item) => InMemoryProcessedData.hash(item)));
		row.data = row.data.filter((hash) => !gone.has(hash));
		await this.write(key, row, false);
	}

	async clearAllProcessedItems(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<void> {
		this.statements.writes++;
		this.rows.delete(this.rowKey(scope, contextData));
	}

	async getProcessedDataCount(
		scope: DeduplicationScope,
		contextData: ICheckProcessedContextData,
	): Promise<number> {
		const row = await this.read(this.rowKey(scope, contextData));
		return row?.data.length ?? 0;
	}

	/** Whether a value is recorded for a workflow's node (for assertions). */
	has(workflowId: string, nodeId: string, value: DeduplicationItemTypes): boolean {
		return (
			this.rows.get(`${workflowId}|n:${nodeId}`)?.data.includes(InMemoryProcessedData.hash(value)) ??
			false
		);
	}
}

/** The store every execution of this test file uses (the "database" all processes share). */
export const processedData = new InMemoryProcessedData();

let initialised = false;

/** Makes n8n-core's `DataDeduplicationService` use `processedData` (once per module registry). */
export async function initDeduplication(): Promise<void> {
	if (initialised) return;
	initialised = true;
	try {
		await DataDeduplicationService.init(processedData);
	} catch {
		// another copy of the harness in this module registry did it already
	}
}
