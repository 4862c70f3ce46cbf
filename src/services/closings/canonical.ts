/**
 * The one text a closing or an audit entry is hashed from: JSON with keys sorted and bigints as
 * decimal strings, so the same facts give the same bytes on every backend and every run.
 */
import { sha256Hex } from '../shared/ids.js';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) {
      if (o[k] !== undefined) out[k] = sortKeys(o[k]);
    }
    return out;
  }
  return v;
}

export function hashOf(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
