import { IssueReader } from '../graphql/issue-reader.port';
import { fillSeries, HOUR_MS, readsHourlyCounts, seriesLayout } from './count-series';

/** Redis's per-hour counters; `IssueStateStore` implements it. */
export interface HourlyCounters {
  hourlyCountsOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, { hourStartMs: number; count: number }[]>>;
}

export interface SeriesArgs {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

export interface SeriesPoint {
  atMs: number;
  count: number;
}

/**
 * Count series of a page of issues with one Redis pipeline and at most one ClickHouse query:
 * whole-hour intervals read the hourly counters, from Redis for the hours it keeps
 * (`hourlyRetentionHours` back from the current hour) and from ClickHouse's `issue_hourly_counts`
 * before that; minute intervals count stored occurrences.
 */
export class CountSeriesSource {
  constructor(
    private readonly reader: IssueReader,
    private readonly counters: HourlyCounters,
    private readonly hourlyRetentionHours: number,
    private readonly now: () => number,
  ) {}

  async seriesOf(tenant: string, issueIds: readonly string[], args: SeriesArgs): Promise<Map<string, SeriesPoint[]>> {
    const layout = seriesLayout(args.fromMs, args.toMs, args.stepMs);
    const counts = new Map<string, Map<number, number>>(issueIds.map((id) => [id, new Map()]));
    const add = (issueId: string, atMs: number, count: number) => {
      const issueCounts = counts.get(issueId);
      if (issueCounts && count > 0) issueCounts.set(atMs, (issueCounts.get(atMs) ?? 0) + count);
    };

    if (!readsHourlyCounts(args.stepMs)) {
      const series = await this.reader.occurrenceSeriesOf(tenant, issueIds, layout.rangeFromMs, layout.rangeToMs, args.stepMs);
      for (const [issueId, buckets] of series) for (const [atMs, count] of buckets) add(issueId, atMs, count);
    } else {
      const redisFromMs = Math.floor(this.now() / HOUR_MS) * HOUR_MS - this.hourlyRetentionHours * HOUR_MS;
      const reads: Promise<void>[] = [];
      if (layout.rangeFromMs < redisFromMs) {
        const clickhouseToMs = Math.min(layout.rangeToMs, redisFromMs);
        reads.push(
          this.reader.hourlyCountsOf(tenant, issueIds, layout.rangeFromMs, clickhouseToMs).then((hourly) => {
            for (const [issueId, hours] of hourly) for (const [atMs, count] of hours) if (atMs < clickhouseToMs) add(issueId, atMs, count);
          }),
        );
      }
      if (layout.rangeToMs > redisFromMs) {
        reads.push(
          this.counters.hourlyCountsOf(tenant, issueIds, Math.max(layout.rangeFromMs, redisFromMs), layout.rangeToMs).then((hourly) => {
            for (const [issueId, hours] of hourly) for (const { hourStartMs, count } of hours) add(issueId, hourStartMs, count);
          }),
        );
      }
      await Promise.all(reads);
    }
    return new Map(issueIds.map((issueId) => [issueId, fillSeries(layout, counts.get(issueId) ?? new Map())]));
  }
}
