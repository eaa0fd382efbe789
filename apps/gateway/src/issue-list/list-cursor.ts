/**
 * Issue list cursors: where an edge sits in a list snapshot. Opaque to clients (base64url of
 * `["l", snapshotId, index, totalCount]`); decoding validates the shape, so a hand-made cursor is a
 * client error, never a server one. `snapshotId` is '' for a list that fit on its first page (nothing
 * to page through, so nothing was stored).
 */
export interface ListCursor {
  snapshotId: string;
  /** Position of the edge in the list, from 0. */
  index: number;
  /** The list's totalCount when the snapshot was taken. */
  totalCount: number;
}

export class InvalidListCursorError extends Error {
  constructor() {
    super('after: invalid pagination cursor');
    this.name = 'InvalidListCursorError';
  }
}

const SNAPSHOT_ID = /^[A-Za-z0-9_-]{0,64}$/;

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(['l', cursor.snapshotId, cursor.index, cursor.totalCount]), 'utf8').toString('base64url');
}

export function decodeListCursor(text: string): ListCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidListCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== 'l') throw new InvalidListCursorError();
  const [, snapshotId, index, totalCount] = parsed as unknown[];
  if (typeof snapshotId !== 'string' || !SNAPSHOT_ID.test(snapshotId)) throw new InvalidListCursorError();
  if (!isCount(index) || !isCount(totalCount)) throw new InvalidListCursorError();
  return { snapshotId, index, totalCount };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
