import { fillSeries, HOUR_MS, MINUTE_MS, parseInterval, readsHourlyCounts, SeriesArgumentError, seriesLayout } from './count-series';

// 2026-11-25T00:00:00Z
const DAY = Date.UTC(2026, 10, 25);

describe('count series', () => {
  it('parses minute, hour and day intervals', () => {
    expect(parseInterval('1m')).toBe(MINUTE_MS);
    expect(parseInterval('15m')).toBe(15 * MINUTE_MS);
    expect(parseInterval('1h')).toBe(HOUR_MS);
    expect(parseInterval('1d')).toBe(24 * HOUR_MS);
    for (const bad of ['', '0h', '1', 'h', '1w', '1.5h', ' 1h', '01h', '1H', '9999999m']) {
      expect(() => parseInterval(bad)).toThrow(SeriesArgumentError);
    }
  });

  it('lays out aligned buckets from the one holding from to the one holding the instant before to', () => {
    expect(seriesLayout(DAY + 30 * MINUTE_MS, DAY + 3 * HOUR_MS, HOUR_MS)).toEqual({
      stepMs: HOUR_MS,
      starts: [DAY, DAY + HOUR_MS, DAY + 2 * HOUR_MS],
      rangeFromMs: DAY,
      rangeToMs: DAY + 3 * HOUR_MS,
    });
    // Days are UTC days: the epoch is a UTC midnight.
    expect(seriesLayout(DAY + 5 * HOUR_MS, DAY + 24 * HOUR_MS + 1, 24 * HOUR_MS).starts).toEqual([DAY, DAY + 24 * HOUR_MS]);
    expect(() => seriesLayout(DAY, DAY, HOUR_MS)).toThrow('to: must be after from');
    expect(() => seriesLayout(DAY, DAY + 1001 * MINUTE_MS, MINUTE_MS)).toThrow('1001 points');
    expect(seriesLayout(DAY, DAY + 1000 * MINUTE_MS, MINUTE_MS).starts).toHaveLength(1000);
  });

  it('adds finer counts into buckets, zeros included, ignoring counts outside the range', () => {
    const layout = seriesLayout(DAY, DAY + 6 * HOUR_MS, 3 * HOUR_MS);
    const counts = new Map([
      [DAY, 2],
      [DAY + 2 * HOUR_MS, 5],
      [DAY + 6 * HOUR_MS, 100],
      [DAY - HOUR_MS, 100],
    ]);
    expect(fillSeries(layout, counts)).toEqual([
      { atMs: DAY, count: 7 },
      { atMs: DAY + 3 * HOUR_MS, count: 0 },
    ]);
  });

  it('reads hourly counters for whole-hour intervals only', () => {
    expect(readsHourlyCounts(HOUR_MS)).toBe(true);
    expect(readsHourlyCounts(24 * HOUR_MS)).toBe(true);
    expect(readsHourlyCounts(90 * MINUTE_MS)).toBe(false);
    expect(readsHourlyCounts(5 * MINUTE_MS)).toBe(false);
  });
});
