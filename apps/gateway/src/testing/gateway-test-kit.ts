import { IssueChange } from '@faultline/contracts';
import { CountSeriesSource, HourlyCounters } from '../issue-detail/count-series.loader';
import { IssueListService, ListSnapshots } from '../issue-list/issue-list.service';
import { IssueReader } from '../graphql/issue-reader.port';
import { createRequestContext, GatewayContext } from '../graphql/request-context';
import { GatewayOptions } from '../tokens';

/** Server options of the unit specs: no introspection, the default limits, no IDE page. */
export const TEST_OPTIONS: GatewayOptions = { introspection: false, limits: { maxDepth: 8, maxCost: 5000 }, ide: false };

/** A reader whose every method fails the spec unless the spec provides it. */
export function readerWith(methods: Partial<IssueReader>): IssueReader {
  return new Proxy(methods as IssueReader, {
    get(target, property) {
      if (property in target) return target[property as keyof IssueReader];
      return async () => {
        throw new Error(`IssueReader.${String(property)} is not used in this spec`);
      };
    },
  });
}

/** List snapshots in memory, with ListSnapshotStore's contract (read answers null for unknown ids). */
export class MemoryListSnapshots implements ListSnapshots {
  readonly saved = new Map<string, { ids: readonly string[]; totalCount: number; queryKey: string }>();

  async save(snapshot: { ids: readonly string[]; totalCount: number; queryKey: string }): Promise<string> {
    const snapshotId = `s${this.saved.size + 1}`;
    this.saved.set(snapshotId, snapshot);
    return snapshotId;
  }

  async read(snapshotId: string, offset: number, count: number) {
    const snapshot = this.saved.get(snapshotId);
    if (!snapshot) return null;
    return { ids: snapshot.ids.slice(offset, offset + count), size: snapshot.ids.length, totalCount: snapshot.totalCount, queryKey: snapshot.queryKey };
  }
}

export function listServiceFor(reader: IssueReader, now: () => number = Date.now): IssueListService {
  return new IssueListService(reader, new MemoryListSnapshots(), 10_000, now);
}

const noCounters: HourlyCounters = { hourlyCountsOf: async (_tenant, issueIds) => new Map(issueIds.map((id) => [id, []])) };

/** A request context over `reader`, histories from `history`, and count series without Redis counters. */
export function testContext(
  reader: IssueReader,
  history: { historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>> },
  actorHeader?: string | string[],
  now: () => number = Date.now,
): GatewayContext {
  return createRequestContext({ reader, history, series: new CountSeriesSource(reader, noCounters, 336, now), trackedValues: { valueCountsOf: async () => new Map() } }, actorHeader);
}
