import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import { BINARY_ENCODING, type IBinaryData } from 'n8n-workflow';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK_SIZE = 64 * 1024; // multiple of 4: chunking never changes the byte sequence

function seedToUint32(seed: number | string): number {
	if (typeof seed === 'number') return seed >>> 0;
	let hash = 0x811c9dc5; // FNV-1a
	for (let i = 0; i < seed.length; i++) {
		hash ^= seed.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** Pseudo-random chunks (mulberry32), identical for identical (size, seed). */
function* deterministicChunks(size: number, seed: number | string): Generator<Buffer> {
	let state = seedToUint32(seed);
	let remaining = size;
	while (remaining > 0) {
		const length = Math.min(CHUNK_SIZE, remaining);
		const chunk = Buffer.allocUnsafe(Math.ceil(length / 4) * 4);
		for (let offset = 0; offset < chunk.length; offset += 4) {
			state = (state + 0x6d2b79f5) >>> 0;
			let t = state;
			t = Math.imul(t ^ (t >>> 15), t | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			chunk.writeUInt32LE((t ^ (t >>> 14)) >>> 0, offset);
		}
		remaining -= length;
		yield chunk.subarray(0, length);
	}
}

/** `size` pseudo-random bytes from `seed`, in one buffer (use the stream for large sizes). */
export function deterministicBytes(size: number, seed: number | string): Buffer {
	return Buffer.concat([...deterministicChunks(size, seed)]);
}

/** Same bytes as `deterministicBytes`, generated lazily chunk by chunk. */
export function deterministicStream(size: number, seed: number | string): Readable {
	return Readable.from(deterministicChunks(size, seed), { objectMode: false });
}

/** Hex sha256 of `deterministicBytes(size, seed)`, computed without holding the bytes. */
export function deterministicSha256(size: number, seed: number | string): string {
	const hash = createHash('sha256');
	for (const chunk of deterministicChunks(size, seed)) hash.update(chunk);
	return hash.digest('hex');
}

/**
 * Content of a binary property as a stream, resolved like n8n does: stored modes
 * (`id` set, e.g. `filesystem-v2:...`) are read from the BinaryDataService,
 * in-memory mode from the base64 `data`.
 */
export async function readBinaryStream(binaryData: IBinaryData): Promise<Readable> {
	if (binaryData.id) return await Container.get(BinaryDataService).getAsStream(binaryData.id);
	return Readable.from([Buffer.from(binaryData.data, BINARY_ENCODING)]);
}

export async function sha256OfStream(stream: Readable): Promise<{ sha256: string; bytes: number }> {
	const hash = createHash('sha256');
	let bytes = 0;
	for await (const chunk of stream) {
		const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
		bytes += buffer.length;
		hash.update(buffer);
	}
	return { sha256: hash.digest('hex'), bytes };
}

/** Hex sha256 of a binary property's content (streamed, never fully in memory). */
export async function binarySha256(binaryData: IBinaryData): Promise<string> {
	return (await sha256OfStream(await readBinaryStream(binaryData))).sha256;
}
