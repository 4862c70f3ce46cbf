import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtureDir = path.join(repoRoot, 'fixtures/camt');

/** JSON with bigints as strings, stable key order as produced by the reader. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

/** Splits bytes into chunks of `size` (to test chunk boundaries anywhere). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.slice(o, o + size);
}
