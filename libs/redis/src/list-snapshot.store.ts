import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.client';

/** The order of an issue list at the time of its first page, as the gateway pages through it. */
export interface ListSnapshot {
  /** Issue ids (16 lowercase hex characters each) in list order. */
  ids: readonly string[];
  /** Every issue that matched, also beyond `ids` when the list was longer than a snapshot holds. */
  totalCount: number;
  /** Identifies the filter and sort the order belongs to, so a cursor cannot be reused for another list. */
  queryKey: string;
}

/** A page out of a snapshot. */
export interface ListSnapshotSlice {
  ids: string[];
  /** How many ids the snapshot holds (the last index + 1). */
  size: number;
  totalCount: number;
  queryKey: string;
}

const ID_BYTES = 8;
const ISSUE_ID = /^[0-9a-f]{16}$/;

/**
 * Issue list snapshots in Redis, for cursors that stay stable while issues change (see the
 * gateway's issue list). Ids are packed as 8 bytes each in one string, so 10 000 issues take 80 KB,
 * and a page is one GETRANGE. A snapshot lives `ttlSeconds` after its last read.
 */
export class ListSnapshotStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
    private readonly prefix = 'fl:list',
  ) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`snapshot ttl must be a positive number of seconds, got ${ttlSeconds}`);
  }

  /** Stores a snapshot and answers its id (random, 128 bits, URL-safe). */
  async save(snapshot: ListSnapshot): Promise<string> {
    const packed = Buffer.alloc(snapshot.ids.length * ID_BYTES);
    snapshot.ids.forEach((id, index) => {
      if (!ISSUE_ID.test(id)) throw new TypeError(`not an issue id: ${JSON.stringify(id)}`);
      packed.write(id, index * ID_BYTES, ID_BYTES, 'hex');
    });
    const snapshotId = randomBytes(16).toString('base64url');
    const [idsKey, metaKey] = this.keys(snapshotId);
    const replies = await this.redis
      .multi()
      .set(idsKey, packed, 'EX', this.ttlSeconds)
      .hset(metaKey, 'totalCount', String(snapshot.totalCount), 'queryKey', snapshot.queryKey)
      .expire(metaKey, this.ttlSeconds)
      .exec();
    if (!replies) throw new Error('redis transaction was discarded');
    for (const [error] of replies) if (error) throw error;
    return snapshotId;
  }

  /**
   * Up to `count` ids from index `offset`, and refreshes the snapshot's lifetime; null when the
   * snapshot does not exist (expired, or an id that was never issued).
   */
  async read(snapshotId: string, offset: number, count: number): Promise<ListSnapshotSlice | null> {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 0) throw new RangeError(`invalid slice ${offset}+${count}`);
    const [idsKey, metaKey] = this.keys(snapshotId);
    const replies = await this.redis
      .multi()
      .getrangeBuffer(idsKey, offset * ID_BYTES, (offset + count) * ID_BYTES - 1)
      .strlen(idsKey)
      .hmget(metaKey, 'totalCount', 'queryKey')
      .expire(idsKey, this.ttlSeconds)
      .expire(metaKey, this.ttlSeconds)
      .exec();
    if (!replies) throw new Error('redis transaction was discarded');
    for (const [error] of replies) if (error) throw error;
    const packed = replies[0][1] as Buffer;
    const size = (replies[1][1] as number) / ID_BYTES;
    const [totalCount, queryKey] = replies[2][1] as (string | null)[];
    if (totalCount === null || queryKey === null) return null;
    // GETRANGE with an end before its start (count 0) answers the whole tail on some versions: cut to count.
    const ids: string[] = [];
    for (let index = 0; index < Math.min(count, packed.length / ID_BYTES); index++) {
      ids.push(packed.subarray(index * ID_BYTES, (index + 1) * ID_BYTES).toString('hex'));
    }
    return { ids, size, totalCount: Number(totalCount), queryKey };
  }

  private keys(snapshotId: string): [string, string] {
    // A hash tag keeps both keys in one Redis Cluster slot, as MULTI needs.
    return [`${this.prefix}:{${snapshotId}}:ids`, `${this.prefix}:{${snapshotId}}:meta`];
  }
}
