import { createHash } from 'node:crypto';
import { IssueRecord } from '@faultline/contracts';
import { IssueListFilter, IssueReader, IssueSort, Page, PageRequest } from '../graphql/issue-reader.port';
import { decodeListCursor, encodeListCursor, InvalidListCursorError } from './list-cursor';

/** Where list orders are kept between pages; `ListSnapshotStore` (@faultline/redis) implements it. */
export interface ListSnapshots {
  save(snapshot: { ids: readonly string[]; totalCount: number; queryKey: string }): Promise<string>;
  read(snapshotId: string, offset: number, count: number): Promise<{ ids: string[]; size: number; totalCount: number; queryKey: string } | null>;
}

export class ExpiredListCursorError extends Error {
  constructor() {
    super('after: this list snapshot has expired: load the first page again');
    this.name = 'ExpiredListCursorError';
  }
}

export class ForeignListCursorError extends Error {
  constructor() {
    super('after: the cursor belongs to a list with another filter or sort');
    this.name = 'ForeignListCursorError';
  }
}

export { InvalidListCursorError };

/**
 * Issue lists with stable pagination. The first page computes the whole order (up to
 * `snapshotLimit` issues) and, when there is more than one page, stores it; later pages read their
 * ids from that snapshot and the issues' current fields from storage. So an issue that gets new
 * occurrences (and so moves in a LAST_SEEN, COUNT or RELEVANCE order) while someone pages is shown
 * exactly once, and new issues wait for the next first page.
 */
export class IssueListService {
  constructor(
    private readonly reader: IssueReader,
    private readonly snapshots: ListSnapshots,
    private readonly snapshotLimit: number,
    private readonly now: () => number = Date.now,
  ) {}

  async list(tenant: string, filter: IssueListFilter, sort: IssueSort, page: PageRequest): Promise<Page<IssueRecord>> {
    const queryKey = listQueryKey(tenant, filter, sort);
    if (!page.after) {
      const { ids, totalCount } = await this.reader.orderedIssueIds(tenant, filter, sort, this.now(), this.snapshotLimit);
      const hasNextPage = ids.length > page.first;
      const snapshotId = hasNextPage ? await this.snapshots.save({ ids, totalCount, queryKey }) : '';
      return this.page(tenant, ids.slice(0, page.first), 0, snapshotId, totalCount, hasNextPage);
    }

    const cursor = decodeListCursor(page.after);
    const start = cursor.index + 1;
    if (cursor.snapshotId === '') return this.page(tenant, [], start, '', cursor.totalCount, false);
    const slice = await this.snapshots.read(cursor.snapshotId, start, page.first);
    if (!slice) throw new ExpiredListCursorError();
    if (slice.queryKey !== queryKey) throw new ForeignListCursorError();
    return this.page(tenant, slice.ids, start, cursor.snapshotId, slice.totalCount, start + slice.ids.length < slice.size);
  }

  private async page(tenant: string, ids: string[], start: number, snapshotId: string, totalCount: number, hasNextPage: boolean): Promise<Page<IssueRecord>> {
    const records = new Map((await this.reader.issuesByIds(tenant, ids)).map((record) => [record.issueId, record]));
    const edges = ids.flatMap((id, offset) => {
      const node = records.get(id);
      // An id without a record can only be an issue removed since the snapshot: skip it, keep positions.
      return node ? [{ cursor: encodeListCursor({ snapshotId, index: start + offset, totalCount }), node }] : [];
    });
    const lastIndex = start + ids.length - 1;
    return {
      totalCount,
      edges,
      pageInfo: {
        hasNextPage,
        endCursor: ids.length > 0 ? encodeListCursor({ snapshotId, index: lastIndex, totalCount }) : null,
      },
    };
  }
}

/** Identifies a list's arguments (the filter after validation and defaults, and the sort). */
export function listQueryKey(tenant: string, filter: IssueListFilter, sort: IssueSort): string {
  const canonical = JSON.stringify([tenant, sort.field, sort.direction, Object.entries(filter).filter(([, value]) => value !== undefined).sort(([a], [b]) => a.localeCompare(b))]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}
