/**
 * Opaque keyset cursors: base64url of a small JSON array `[kind, sortValue, id]`. The kind keeps a
 * cursor of one list from being accepted by another (issue lists page through snapshots, see the
 * gateway's issue-list, so occurrences are the one kind today). Decoding validates the shape, so a
 * hand-made cursor fails as an {@link InvalidCursorError} (a client error), never as SQL.
 */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('invalid pagination cursor');
    this.name = 'InvalidCursorError';
  }
}

export type CursorKind = 'occurrence';

export interface KeysetPosition {
  /** Milliseconds since the epoch of the row the page ended at (its timestamp). */
  ms: number;
  /** Id of that row; breaks ties between equal `ms`. */
  id: string;
}

const kindTags: Record<CursorKind, string> = { occurrence: 'o' };
const MAX_ID_LENGTH = 256;

export function encodeCursor(kind: CursorKind, position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([kindTags[kind], position.ms, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: CursorKind, cursor: string): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(cursor);
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw new InvalidCursorError(cursor);
  const [tag, ms, id] = parsed as unknown[];
  if (tag !== kindTags[kind]) throw new InvalidCursorError(cursor);
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) throw new InvalidCursorError(cursor);
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) throw new InvalidCursorError(cursor);
  return { ms, id };
}

export interface PageArgs {
  /** Page size, 0..MAX_PAGE_SIZE. */
  first: number;
  /** `endCursor` of the previous page; absent for the first page. */
  after?: string | null;
}

export const MAX_PAGE_SIZE = 1000;

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be an integer between 0 and ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return first;
}
