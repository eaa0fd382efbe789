import type { CounterRebuildQueries, IssueHourlyCountsRepository, IssueRepository } from '@faultline/clickhouse';
import type { IssueRecord } from '@faultline/contracts';
import { dedupeSetsSinceMs, hourlyCountersStartMs, MAX_TRACKED_VALUES_PER_KEY, rebuildIssueRecord, TRACKED_VALUE_KEYS } from '@faultline/domain';
import { trackedValueFields, type IssueStateRebuildStore, type IssueStateReplacement } from '@faultline/redis';

export interface RebuildCountersOptions {
  /** AGGREGATOR_DEDUPE_WINDOW_HOURS: how long the rebuilt dedupe sets live. */
  dedupeWindowHours: number;
  /** REDIS_HOURLY_COUNTS_RETENTION_HOURS: which hourly counters Redis keeps. */
  hourlyRetentionHours: number;
  /** Issues per page: one ClickHouse query of each kind and one Redis pipeline per page. */
  pageSize?: number;
  /** Reads of one page before giving up when its issues keep changing under the rebuild. */
  maxAttempts?: number;
}

export interface RebuildCountersResult {
  tenants: number;
  issues: number;
  /** Occurrence ids written back to dedupe sets. */
  seenIds: number;
  /** Issues read again because a batch changed them while they were being rebuilt. */
  retried: number;
  elapsedMs: number;
}

/** Called between pages; throws to abort (the lock was lost). Progress for logs. */
export type RebuildCheckpoint = (progress: { tenant: string; issues: number }) => void;

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * Rebuilds the aggregator's Redis issue state from ClickHouse: for every issue of the `issues`
 * projection (latest revision), its hash (count, first/last seen and versions from the stored
 * occurrences; static fields and workflow from the projection; see rebuildIssueRecord), envs, hourly
 * counters within retention (distinct ids per hour of the stored occurrences), the dedupe sets of
 * every issue-hour that received an occurrence within the dedupe window (so a redelivery right after
 * the rebuild is still recognised), a revision above every earlier one, and the re-projected record
 * in `issues` (and the rebuilt hourly counts in `issue_hourly_counts`). History and outbox are left as they are: the history cannot be rebuilt (ClickHouse
 * does not keep it), and a `counters_rebuilt` entry is not written because IssueChange's action enum
 * is also the issue-event/v1 contract and the gateway's API.
 *
 * Bounded memory: issues go by pages of `pageSize` per tenant (keyset on issue id); each page costs
 * four ClickHouse queries and a few Redis pipelines and holds only its own issues' rows.
 *
 * Safe while aggregators run (compare-and-set per issue, see IssueStateRebuildStore.replace): the
 * Redis revisions are read before ClickHouse; an issue a batch counted meanwhile is read again.
 * Idempotent: running it twice gives the same state (with a higher revision).
 */
export class RebuildCountersUseCase {
  private readonly pageSize: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly queries: CounterRebuildQueries,
    private readonly store: IssueStateRebuildStore,
    private readonly issues: IssueRepository,
    private readonly hourlyCounts: IssueHourlyCountsRepository,
    private readonly options: RebuildCountersOptions,
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Rebuilds every tenant, or only `tenants`. */
  async execute(options: { tenants?: readonly string[]; checkpoint?: RebuildCheckpoint } = {}): Promise<RebuildCountersResult> {
    const started = Date.now();
    const tenants = options.tenants ?? (await this.queries.tenants());
    const result: RebuildCountersResult = { tenants: tenants.length, issues: 0, seenIds: 0, retried: 0, elapsedMs: 0 };
    for (const tenant of tenants) {
      let after = '';
      for (;;) {
        const page = await this.queries.issuePage(tenant, after, this.pageSize);
        if (page.length === 0) break;
        await this.rebuildPage(tenant, page, result);
        result.issues += page.length;
        after = page[page.length - 1].issueId;
        options.checkpoint?.({ tenant, issues: result.issues });
        if (page.length < this.pageSize) break;
      }
    }
    result.elapsedMs = Date.now() - started;
    return result;
  }

  private async rebuildPage(tenant: string, projections: readonly IssueRecord[], result: RebuildCountersResult): Promise<void> {
    let pending = projections;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > this.maxAttempts) {
        throw new Error(`counter rebuild: ${pending.length} issue(s) of tenant ${tenant} kept changing over ${this.maxAttempts} reads (first ${pending[0].issueId})`);
      }
      if (attempt > 1) result.retried += pending.length;
      pending = await this.rebuildOnce(tenant, pending, result);
    }
  }

  /** One read-and-write of `projections`; answers those that changed meanwhile. */
  private async rebuildOnce(tenant: string, projections: readonly IssueRecord[], result: RebuildCountersResult): Promise<IssueRecord[]> {
    const issueIds = projections.map((issue) => issue.issueId);
    // Server time and revisions before any ClickHouse read (see IssueStateRebuildStore.replace).
    const nowMs = await this.store.serverTimeMs();
    const live = await this.store.liveStates(tenant, issueIds);
    const [stored, hourly, recentHours, trackedCounts] = await Promise.all([
      this.queries.occurrencesByIssue(tenant, issueIds),
      this.queries.hourlyCounts(tenant, issueIds, hourlyCountersStartMs(nowMs, this.options.hourlyRetentionHours)),
      this.queries.recentHourOccurrenceIds(tenant, issueIds, dedupeSetsSinceMs(nowMs, this.options.dedupeWindowHours)),
      this.queries.trackedValueCounts(tenant, issueIds, TRACKED_VALUE_KEYS),
    ]);
    // Dedupe sets before the counts: a batch that finds an id there counts nothing (its count is in
    // what was read), and one that counted before is caught by the revision check.
    result.seenIds += await this.store.addSeen(
      recentHours.map(({ issueId, hourStartMs, occurrenceIds }) => ({ tenant, issueId, hourStartMs, occurrenceIds })),
      Math.ceil(this.options.dedupeWindowHours * 3600),
    );

    const hourlyByIssue = groupBy(hourly, (count) => count.issueId);
    const replacements: IssueStateReplacement[] = projections.map((projection) => {
      const state = live.get(projection.issueId) ?? null;
      return {
        record: rebuildIssueRecord(projection, stored.get(projection.issueId) ?? null, state),
        hourlyCounts: (hourlyByIssue.get(projection.issueId) ?? []).map(({ hourStartMs, count }) => ({ hourStartMs, count })),
        valueFields: trackedValueFields(trackedCounts.get(projection.issueId) ?? [], MAX_TRACKED_VALUES_PER_KEY),
        expectedRevision: state?.revisionText ?? null,
        minRevision: projection.revision + 1,
      };
    });
    const written = await this.store.replace(replacements);
    const rebuilt = written.filter((record): record is IssueRecord => record !== null);
    // The hourly counts too: exact, and absolute (largest wins), so writing them again is harmless
    // and fills hours whose Redis counts were lost before they reached ClickHouse.
    await Promise.all([
      this.issues.upsert(rebuilt),
      this.hourlyCounts.insert(
        replacements.flatMap(({ record, hourlyCounts }, index) =>
          written[index] === null ? [] : hourlyCounts.map(({ hourStartMs, count }) => ({ tenant, issueId: record.issueId, hourStartMs, count })),
        ),
      ),
    ]);
    return projections.filter((_, index) => written[index] === null);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
