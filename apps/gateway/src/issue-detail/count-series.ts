/**
 * Count series (Issue.countSeries): interval parsing, bucket layout and filling. Pure; where the
 * counts come from is the loader's business (count-series.loader.ts).
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const MAX_SERIES_POINTS = 1000;

const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: 24 * HOUR_MS } as const;
const INTERVAL = /^([1-9][0-9]{0,5})(m|h|d)$/;

export class SeriesArgumentError extends Error {
  constructor(
    readonly argumentName: 'interval' | 'from' | 'to',
    message: string,
  ) {
    super(`${argumentName}: ${message}`);
    this.name = 'SeriesArgumentError';
  }
}

/** `5m`, `1h`, `1d` -> milliseconds. */
export function parseInterval(text: string): number {
  const match = INTERVAL.exec(text);
  if (!match) throw new SeriesArgumentError('interval', `a whole number of minutes, hours or days such as 5m, 1h or 1d, got ${JSON.stringify(text.slice(0, 20))}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The buckets of a series: starts aligned on multiples of `stepMs` since the epoch. */
export interface SeriesLayout {
  stepMs: number;
  /** Bucket starts, oldest first. */
  starts: number[];
  /** [rangeFromMs, rangeToMs) covers every bucket whole: what the counts must be read over. */
  rangeFromMs: number;
  rangeToMs: number;
}

/** Buckets from the one holding `fromMs` to the one holding `toMs - 1`. */
export function seriesLayout(fromMs: number, toMs: number, stepMs: number): SeriesLayout {
  if (toMs <= fromMs) throw new SeriesArgumentError('to', 'must be after from');
  const first = Math.floor(fromMs / stepMs) * stepMs;
  const last = Math.floor((toMs - 1) / stepMs) * stepMs;
  const points = (last - first) / stepMs + 1;
  if (points > MAX_SERIES_POINTS) {
    throw new SeriesArgumentError('interval', `the range would take ${points} points, at most ${MAX_SERIES_POINTS}: use a longer interval or a shorter range`);
  }
  const starts = Array.from({ length: points }, (_, index) => first + index * stepMs);
  return { stepMs, starts, rangeFromMs: first, rangeToMs: last + stepMs };
}

/** Adds counts keyed by any finer aligned time (hour starts, minute buckets) into the layout's buckets, zeros included. */
export function fillSeries(layout: SeriesLayout, counts: ReadonlyMap<number, number>): { atMs: number; count: number }[] {
  const totals = new Map<number, number>();
  for (const [atMs, count] of counts) {
    if (atMs < layout.rangeFromMs || atMs >= layout.rangeToMs) continue;
    const bucket = Math.floor(atMs / layout.stepMs) * layout.stepMs;
    totals.set(bucket, (totals.get(bucket) ?? 0) + count);
  }
  return layout.starts.map((atMs) => ({ atMs, count: totals.get(atMs) ?? 0 }));
}

/** Whole-hour intervals read hourly counters; shorter ones (or a 90-minute one) need the occurrences. */
export function readsHourlyCounts(stepMs: number): boolean {
  return stepMs % HOUR_MS === 0;
}
