import { joinSql, sql, type SqlFragment } from './sql';

/**
 * Argument checks and SQL pieces shared by the batched reads (one query for a page of issues).
 * Numbers are checked here, before any SQL is built, so a bad bound is a RangeError for the caller
 * rather than a query that silently means something else.
 */

/** `value` if it is a non-negative safe integer (milliseconds since the epoch, a step), else a RangeError. */
export function checkNonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** `value` if it is an integer of at least 1 (a limit, a step), else a RangeError. */
export function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be an integer of at least 1, got ${String(value)}`);
  return value;
}

/**
 * `(v1, v2, ...)` for the right side of `IN`. A literal set rather than `has([...], column)`: IN on
 * a sorting-key column lets ClickHouse skip granules, has() reads them all. 18.16 rejects an array
 * literal after IN, hence the parenthesised list. `values` must not be empty (callers return early).
 */
export function sqlInList(values: readonly string[]): SqlFragment {
  if (values.length === 0) throw new RangeError('sqlInList needs at least one value');
  return sql`(${joinSql(
    values.map((value) => sql`${value}`),
    ', ',
  )})`;
}
