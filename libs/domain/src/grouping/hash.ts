import { createHash } from 'node:crypto';

/**
 * sha256 over a JSON array of the parts: JSON encoding quotes and escapes every part, so no two
 * different part lists can produce the same input (unlike joining with a separator that a part
 * might contain).
 */
export function sha256Hex(parts: ReadonlyArray<unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
