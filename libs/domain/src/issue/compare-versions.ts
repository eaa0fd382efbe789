/**
 * Release order for the regression rule. Versions are free text from tracers (`1.2.3`, `v2024.11.25`,
 * `1.2.0-rc1`, `4.2.0+build.7`, `2024_11_25-abc123`), so this is a forgiving order, not strict semver:
 *
 * - one leading `v`/`V` is ignored;
 * - the rest splits into segments on `.`, `-`, `+` and `_` (empty segments are dropped);
 * - segments compare left to right: two numeric segments (ASCII digits only) by value (any length,
 *   leading zeros ignored), two other segments by code point (case-sensitive);
 * - at one position, a non-numeric segment < no segment < a numeric segment. So with an equal prefix
 *   the longer version is newer when it goes on with a number (`1.2.0.1` > `1.2.0`) and older when it
 *   goes on with a label, a pre-release (`1.2.0-rc1` < `1.2.0`); a build suffix like `+build.7` counts
 *   as a label too (older), the simple reading, and `1.2.0-rc1` < `1.2.0-1` (a label before a number).
 *
 * The Redis script that applies the regression rule atomically has a Lua twin of this function
 * (libs/redis, VERSION_ORDER_LUA); {@link VERSION_ORDER_CASES} is the table both are tested against.
 * Change both or neither.
 */
export function compareVersions(a: string, b: string): number {
  const left = versionSegments(a);
  const right = versionSegments(b);
  const length = Math.max(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const x = left[index];
    const y = right[index];
    const rankX = segmentRank(x);
    const rankY = segmentRank(y);
    if (rankX !== rankY) return rankX < rankY ? -1 : 1;
    // Equal ranks below `length` mean both segments exist.
    const order = rankX === NUMERIC ? compareDigits(x as string, y as string) : compareCodePoints(x as string, y as string);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * The regression rule (issue workflow): an occurrence regresses a RESOLVED issue when it comes from a
 * version newer than the one the issue was resolved in, or when either version is unknown (without
 * versions, any new occurrence after resolving is a regression).
 */
export function isRegression(resolvedInVersion: string | null, occurrenceVersion: string | null): boolean {
  if (resolvedInVersion === null || occurrenceVersion === null) return true;
  return compareVersions(occurrenceVersion, resolvedInVersion) > 0;
}

const LABEL = 0;
const MISSING = 1;
const NUMERIC = 2;

function versionSegments(version: string): string[] {
  const withoutPrefix = version.startsWith('v') || version.startsWith('V') ? version.slice(1) : version;
  return withoutPrefix.split(/[.\-+_]/).filter((segment) => segment.length > 0);
}

function segmentRank(segment: string | undefined): number {
  if (segment === undefined) return MISSING;
  return /^[0-9]+$/.test(segment) ? NUMERIC : LABEL;
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code point order, which is UTF-8 byte order (what the Lua twin compares), unlike UTF-16 `<`. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (char) => char.codePointAt(0) as number);
  const y = Array.from(b, (char) => char.codePointAt(0) as number);
  for (let index = 0; index < Math.min(x.length, y.length); index++) {
    if (x[index] !== y[index]) return x[index] < y[index] ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}
