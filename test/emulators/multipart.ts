/**
 * A small streaming multipart/form-data parser (RFC 7578 / RFC 2046) for the
 * TeamSpirit emulator. Zero dependencies.
 *
 * Bytes are fed with `write(chunk)` as they arrive; part bodies are handed to a
 * sink chunk by chunk, so a large upload is never held in memory. The parser
 * copes with delimiters and header blocks split across chunk boundaries. Each
 * `write` resolves once the sink has accepted the data, which gives the caller
 * back-pressure when it awaits it between reads of the request stream.
 */

export interface PartInfo {
	/** The `name` parameter of Content-Disposition. */
	name: string;
	/** The `filename` (or RFC 5987 `filename*`) parameter, if any. */
	filename: string | undefined;
	/** The part's Content-Type header, if any. */
	contentType: string | undefined;
	/** All part headers, names lower-cased. */
	headers: Record<string, string>;
}

export interface PartSink {
	write(chunk: Buffer): void | Promise<void>;
	end(): void | Promise<void>;
}

export class MultipartError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MultipartError';
	}
}

type State = 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done';

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export class MultipartParser {
	private readonly delimiter: Buffer;
	private readonly maxHeaderSize: number;
	/** Starts with a CRLF so the first boundary (which has none) matches `\r\n--boundary` too. */
	private buf: Buffer = Buffer.from(CRLF);
	private state: State = 'preamble';
	private sink: PartSink | undefined;

	constructor(
		boundary: string,
		private readonly onPart: (part: PartInfo) => PartSink,
		opts: { maxHeaderSize?: number } = {},
	) {
		if (!boundary || boundary.length > 200) throw new MultipartError('Invalid multipart boundary');
		this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
		this.maxHeaderSize = opts.maxHeaderSize ?? 16 * 1024;
	}

	/** True once the closing delimiter has been seen. */
	get finished(): boolean {
		return this.state === 'done';
	}

	async write(chunk: Buffer): Promise<void> {
		if (this.state === 'done' || chunk.length === 0) return; // epilogue is ignored
		this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
		await this.process();
	}

	/** Call when the input is exhausted; rejects if the body was truncated. */
	async end(): Promise<void> {
		if (this.state !== 'done') throw new MultipartError('Unexpected end of multipart body');
	}

	private async process(): Promise<void> {
		for (;;) {
			switch (this.state) {
				case 'preamble': {
					const idx = this.buf.indexOf(this.delimiter);
					if (idx === -1) {
						this.keepTail();
						return;
					}
					this.buf = this.buf.subarray(idx + this.delimiter.length);
					this.state = 'afterBoundary';
					break;
				}
				case 'afterBoundary': {
					if (this.buf.length < 2) return;
					if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
						// "--": close delimiter; everything after it is epilogue.
						this.buf = Buffer.alloc(0);
						this.state = 'done';
						return;
					}
					const idx = this.buf.indexOf(CRLF);
					if (idx === -1) {
						if (this.buf.length > 1024) throw new MultipartError('Malformed boundary line');
						return;
					}
					// RFC 2046 allows transport padding (linear whitespace) after the boundary.
					if (!/^[ \t]*$/.test(this.buf.subarray(0, idx).toString('latin1'))) {
						throw new MultipartError('Malformed boundary line');
					}
					this.buf = this.buf.subarray(idx + 2);
					this.state = 'headers';
					break;
				}
				case 'headers': {
					let block: string;
					if (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
						block = ''; // a part without headers
						this.buf = this.buf.subarray(2);
					} else {
						const idx = this.buf.indexOf(HEADER_END);
						if (idx === -1) {
							if (this.buf.length > this.maxHeaderSize) throw new MultipartError('Part headers too large');
							return;
						}
						block = this.buf.subarray(0, idx).toString('utf8');
						this.buf = this.buf.subarray(idx + HEADER_END.length);
					}
					this.sink = this.onPart(parsePartHeaders(block));
					this.state = 'body';
					break;
				}
				case 'body': {
					const sink = this.sink as PartSink;
					const idx = this.buf.indexOf(this.delimiter);
					if (idx === -1) {
						// Everything except a possible partial delimiter at the end is content.
						const safe = this.buf.length - (this.delimiter.length - 1);
						if (safe > 0) {
							const out = this.buf.subarray(0, safe);
							this.buf = this.buf.subarray(safe);
							await sink.write(out);
						}
						return;
					}
					const out = this.buf.subarray(0, idx);
					this.buf = this.buf.subarray(idx + this.delimiter.length);
					if (out.length > 0) await sink.write(out);
					await sink.end();
					this.sink = undefined;
					this.state = 'afterBoundary';
					break;
				}
				case 'done':
					return;
			}
		}
	}

	private keepTail(): void {
		const keep = this.delimiter.length - 1;
		if (this.buf.length > keep) this.buf = this.buf.subarray(this.buf.length - keep);
	}
}

/** Parses a part's header block ("Name: value" lines, CRLF separated). */
export function parsePartHeaders(block: string): PartInfo {
	const headers: Record<string, string> = {};
	let last: string | undefined;
	for (const line of block.split('\r\n')) {
		if (line === '') continue;
		if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
			headers[last] += ' ' + line.trim(); // obsolete header folding
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) throw new MultipartError(`Malformed part header: ${line.slice(0, 100)}`);
		last = line.slice(0, colon).trim().toLowerCase();
		headers[last] = line.slice(colon + 1).trim();
	}
	const disposition = headers['content-disposition'];
	if (disposition === undefined) throw new MultipartError('Part without Content-Disposition');
	const { value, params } = parseHeaderValue(disposition);
	if (value.toLowerCase() !== 'form-data') throw new MultipartError(`Unexpected Content-Disposition '${value}'`);
	if (params.name === undefined) throw new MultipartError('Part without a name');
	return {
		name: params.name,
		filename: params['filename*'] ?? params.filename,
		contentType: headers['content-type'],
		headers,
	};
}

/**
 * Splits `type; a=b; c="d"` into the leading value and lower-cased parameters.
 * Quoted strings may contain `;` and backslash escapes. `name*` parameters
 * (RFC 5987, e.g. `UTF-8''na%C3%AFve.txt`) are percent-decoded.
 */
export function parseHeaderValue(header: string): { value: string; params: Record<string, string> } {
	const semi = header.indexOf(';');
	const value = (semi === -1 ? header : header.slice(0, semi)).trim();
	const params: Record<string, string> = {};
	if (semi === -1) return { value, params };
	const re = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	const rest = header.slice(semi);
	let m: RegExpExecArray | null;
	while ((m = re.exec(rest)) !== null) {
		const key = m[1].toLowerCase();
		let val = m[2].trim();
		if (val.startsWith('"')) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
		if (key.endsWith('*')) {
			const ext = /^([\w!#$%&+^`{}~-]*)'[^']*'(.*)$/.exec(val);
			if (ext) {
				try {
					val = decodeURIComponent(ext[2]);
				} catch {
					continue; // undecodable extended value: fall back to the plain parameter
				}
			}
		}
		params[key] = val;
	}
	return { value, params };
}

/** The boundary of a `multipart/form-data` Content-Type, or undefined if it is not one. */
export function boundaryFromContentType(contentType: string | undefined): string | undefined {
	if (!contentType) return undefined;
	const { value, params } = parseHeaderValue(contentType);
	if (value.toLowerCase() !== 'multipart/form-data') return undefined;
	const boundary = params.boundary;
	return boundary && boundary.length <= 200 ? boundary : undefined; // RFC says 70; be lenient
}
