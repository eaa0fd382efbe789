/**
 * The value counts hash of one issue (IssueStateKeys.values) as RECORD_OCCURRENCES_LUA keeps it,
 * built from counts read elsewhere (ClickHouse, when rebuilding or seeding): per key, the
 * `maxValuesPerKey` most frequent values as `key NUL value`, the rest summed under `key NUL NUL`
 * ("other"), and `# NUL key` = the number of values kept.
 */
export function trackedValueFields(counts: readonly { key: string; value: string; count: number }[], maxValuesPerKey: number): Record<string, string> {
  const byKey = new Map<string, { value: string; count: number }[]>();
  for (const { key, value, count } of counts) {
    if (value === '' || count <= 0) continue;
    const list = byKey.get(key);
    if (list) list.push({ value, count });
    else byKey.set(key, [{ value, count }]);
  }
  const fields: Record<string, string> = {};
  for (const [key, values] of byKey) {
    values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const kept = values.slice(0, maxValuesPerKey);
    for (const { value, count } of kept) fields[`${key}\u0000${value}`] = String(count);
    fields[`#\u0000${key}`] = String(kept.length);
    const other = values.slice(maxValuesPerKey).reduce((sum, { count }) => sum + count, 0);
    if (other > 0) fields[`${key}\u0000\u0000`] = String(other);
  }
  return fields;
}
