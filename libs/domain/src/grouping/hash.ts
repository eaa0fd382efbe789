import { hash } from 'node:crypto';

/**
 * sha256 over a JSON array of the parts: JSON encoding quotes and escapes every part, so no two
 * different part lists can produce the same input (unlike joining with a separator that a part
 * might contain). The one-shot `crypto.hash` gives the same digest as `createHash` without a Hash
 * object per call: this runs once per occurrence and per id on the fingerprinter's hot path.
 */
export function sha256Hex(parts: ReadonlyArray<unknown>): string {
  return hash('sha256', JSON.stringify(parts), 'hex');
}
