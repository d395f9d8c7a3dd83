import type { LogMetadata, Logger as WorkflowLogger } from 'n8n-workflow';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CapturedLog {
	level: LogLevel;
	message: string;
	meta: LogMetadata | undefined;
}

/**
 * Records every log line instead of printing it. Installed both as n8n-workflow's
 * `LoggerProxy` (used by WorkflowExecute) and as `@n8n/backend-common`'s `Logger`
 * in the DI container (used by `this.logger` in nodes and by n8n-core services).
 * Set HARNESS_LOG=1 to also print the lines.
 */
export class CapturingLogger implements WorkflowLogger {
	readonly entries: CapturedLog[] = [];

	private readonly echo = process.env.HARNESS_LOG === '1';

	error(message: string, meta?: LogMetadata): void {
		this.record('error', message, meta);
	}

	warn(message: string, meta?: LogMetadata): void {
		this.record('warn', message, meta);
	}

	info(message: string, meta?: LogMetadata): void {
		this.record('info', message, meta);
	}

	debug(message: string, meta?: LogMetadata): void {
		this.record('debug', message, meta);
	}

	/** `Logger.scoped()` of backend-common: scopes are kept in the metadata only. */
	scoped(): CapturingLogger {
		return this;
	}

	private record(level: LogLevel, message: string, meta: LogMetadata | undefined): void {
		this.entries.push({ level, message, meta });
		if (this.echo) console.log(`[${level}] ${message}`, meta ?? '');
	}
}

/** Flattens captured logs (including metadata and nested errors) into one searchable string. */
export function logsToText(logs: CapturedLog[]): string {
	return logs
		.map(({ level, message, meta }) => `${level} ${message} ${safeStringify(meta)}`)
		.join('\n');
}

function safeStringify(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return (
			JSON.stringify(value, (_key, v: unknown) => {
				if (v instanceof Error) {
					return { ...v, name: v.name, message: v.message, stack: v.stack };
				}
				if (typeof v === 'object' && v !== null) {
					if (seen.has(v)) return '[Circular]';
					seen.add(v);
				}
				return v;
			}) ?? ''
		);
	} catch {
		return String(value);
	}
}
