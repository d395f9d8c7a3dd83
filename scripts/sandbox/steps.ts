/**
 * The playground's steps (a customer writes, an operator answers, edits, deletes) and the n8n
 * execution that carried each one, found through n8n's REST API as the editor lists executions:
 * an execution of the step's workflow, started after the step, whose saved data holds the step's
 * marker (the TeamSpirit message id, Twilio's MessageSid, Meta's mid). A Telegram update has no
 * such id of its own in the data (its numbers are not strings), so its step takes the oldest
 * execution of the workflow started by the long poll (mode `trigger`) that no other step has.
 */
import type { ExecutionSummary, N8nEditor } from '../../test/e2e/n8n';

export interface Step {
	id: string;
	label: string;
	channel: string;
	workflowId: string;
	/** A string the execution's data holds (absent: matched by order, see above). */
	marker?: string;
	/** n8n's execution mode to match without a marker. */
	mode?: string;
	at: number;
	/** The HTTP status of the delivery to n8n (webhooks only). */
	delivery?: number;
	error?: string;
	executionId?: string;
	status?: string;
	/** The execution in n8n's editor. */
	url?: string;
}

const FINAL = new Set(['success', 'error', 'crashed', 'canceled']);
/** How long a step keeps looking for its execution. */
const LOOK_MS = 5 * 60_000;

export class StepLog {
	private readonly steps: Step[] = [];
	private readonly taken = new Set<string>();
	private readonly data = new Map<string, string>();
	private resolving: Promise<void> | undefined;
	private lastResolve = 0;

	constructor(
		private readonly editor: N8nEditor,
		private readonly n8nUrl: string,
	) {}

	add(step: Omit<Step, 'id'>): Step {
		const full = { ...step, id: `s${this.steps.length + 1}` };
		this.steps.push(full);
		return full;
	}

	delivered(step: Step, status: number, error?: string): void {
		step.delivery = status;
		if (status < 200 || status >= 300) step.error = error ?? `n8n answered ${status}`;
	}

	failed(step: Step, message: string): void {
		step.error = message;
	}

	/** The first step about a message (its post; edits and deletes follow in the list). */
	byMarker(marker: string): Step | undefined {
		return this.steps.find((s) => s.marker === marker);
	}

	list(): Step[] {
		return this.steps.map((s) => ({ ...s }));
	}

	/** Looks up executions for the steps that have none yet (at most every 500 ms, one at a time). */
	async resolve(): Promise<void> {
		if (this.resolving) return await this.resolving;
		if (Date.now() - this.lastResolve < 500) return;
		this.resolving = this.match().finally(() => {
			this.resolving = undefined;
			this.lastResolve = Date.now();
		});
		return await this.resolving;
	}

	private async match(): Promise<void> {
		const open = this.steps.filter((s) => (!s.executionId || !FINAL.has(s.status ?? '')) && Date.now() - s.at < LOOK_MS);
		if (open.length === 0) return;
		let list: ExecutionSummary[];
		try {
			list = await this.editor.executions(100);
		} catch {
			await this.editor.login().catch(() => undefined); // a session that ended
			return;
		}
		const started = (e: ExecutionSummary) => Date.parse(e.startedAt ?? e.createdAt ?? '') || 0;
		const oldestFirst = [...list].sort((a, b) => started(a) - started(b) || Number(a.id) - Number(b.id));
		for (const step of open) {
			if (step.executionId) {
				step.status = list.find((e) => e.id === step.executionId)?.status ?? step.status;
				continue;
			}
			for (const e of oldestFirst) {
				if (e.workflowId !== step.workflowId || this.taken.has(e.id) || started(e) < step.at - 1000) continue;
				if (step.marker) {
					if (!FINAL.has(e.status)) continue; // its data is saved when it ends
					if (!(await this.dataOf(e.id)).includes(step.marker)) continue;
				} else if (step.mode && e.mode !== step.mode) continue;
				this.taken.add(e.id);
				step.executionId = e.id;
				step.status = e.status;
				step.url = `${this.n8nUrl}/workflow/${e.workflowId}/executions/${e.id}`;
				break;
			}
		}
	}

	private async dataOf(id: string): Promise<string> {
		const known = this.data.get(id);
		if (known !== undefined) return known;
		const r = await this.editor.call('GET', `/executions/${id}`);
		const text = r.status === 200 ? JSON.stringify(r.json?.data ?? '') : '';
		if (text) this.data.set(id, text);
		return text;
	}
}
