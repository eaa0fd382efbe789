/**
 * The only way values reach ClickHouse SQL in Faultline.
 *
 * Query parameters (`{name:Type}`) would be the usual answer, but the Debian ClickHouse (18.16) that
 * developers run locally predates them, so every value is rendered as a literal here instead. Each
 * renderer either produces a literal that ClickHouse parses back to exactly the given value, or
 * throws; nothing else in the codebase concatenates values into SQL.
 *
 * Literal rules (identical on 18.16 and current ClickHouse):
 * - strings are single-quoted; backslash and quote are backslash-escaped, and every control
 *   character (C0 and DEL) is written as an escape so a value can never end a line comment or
 *   confuse a log line. Non-ASCII text passes through as UTF-8 (a lone UTF-16 surrogate, which
 *   UTF-8 cannot carry, reaches the server as U+FFFD like in any UTF-8 encoding of the query).
 * - numbers must be finite; bigints are written in full.
 * - identifiers are restricted to plain names and back-quoted.
 */

/** A piece of SQL text that is safe to splice into a query: built by {@link sql} or {@link raw}. */
export class SqlFragment {
  /** @internal use {@link sql} or {@link raw}. */
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** Values that {@link sql} knows how to render. `undefined` is rejected on purpose: it is always a bug. */
export type SqlValue = string | number | bigint | boolean | null | SqlFragment | readonly SqlValue[];

const namedEscapes: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

// Backslash, quote and every C0 control character plus DEL.
// eslint-disable-next-line no-control-regex
const needsEscape = /[\\'\u0000-\u001f\u007f]/g;

function escapeChar(char: string): string {
  const named = namedEscapes[char];
  if (named !== undefined) return named;
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** A ClickHouse string literal for `value`, e.g. `O'Brien` -> `'O\'Brien'`. */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`sqlString expects a string, got ${typeof value}`);
  return `'${value.replace(needsEscape, escapeChar)}'`;
}

/** A numeric literal; throws for NaN and infinities (they would silently change a query's meaning). */
export function sqlNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`sqlNumber expects a finite number, got ${String(value)}`);
  }
  // String(-0) is '0' already; exponents (1e+21) are valid ClickHouse float literals.
  return String(value);
}

const plainIdentifier = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/**
 * A back-quoted identifier. Only plain names (and one `.` for Nested sub-columns such as `tags.key`)
 * are accepted: identifiers come from code and configuration, so anything else is a mistake.
 * Qualify a table as `${sqlIdentifier(db)}.${sqlIdentifier(table)}`.
 */
export function sqlIdentifier(name: string): string {
  if (typeof name !== 'string' || !plainIdentifier.test(name)) {
    throw new TypeError(`sqlIdentifier expects a plain identifier, got ${JSON.stringify(name)}`);
  }
  return `\`${name}\``;
}

/** An array literal, e.g. `['a', 'b']`. Elements are rendered like {@link sql} values. */
export function sqlArray(values: readonly SqlValue[]): string {
  if (!Array.isArray(values)) throw new TypeError('sqlArray expects an array');
  return `[${values.map(renderValue).join(', ')}]`;
}

/** Marks trusted SQL text (column lists, table names from code) for splicing into {@link sql} unescaped. */
export function raw(text: string): SqlFragment {
  if (typeof text !== 'string') throw new TypeError('raw expects a string');
  return new SqlFragment(text);
}

function renderValue(value: SqlValue): string {
  if (value instanceof SqlFragment) return value.text;
  if (Array.isArray(value)) return sqlArray(value);
  switch (typeof value) {
    case 'string':
      return sqlString(value);
    case 'number':
    case 'bigint':
      return sqlNumber(value);
    case 'boolean':
      // 18.16 has no boolean literals; 1/0 works everywhere.
      return value ? '1' : '0';
    case 'object':
      if (value === null) return 'NULL';
      break;
  }
  throw new TypeError(`cannot render ${typeof value} into SQL`);
}

/**
 * Tagged template: the literal parts are trusted SQL, every interpolated value is escaped by type.
 * Fragments returned by `sql` or `raw` nest without being escaped again.
 *
 *   sql`SELECT ${raw(columns)} FROM occurrences WHERE tenant = ${tenant} AND issue_id IN ${ids}`
 */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let text = strings[0];
  for (let index = 0; index < values.length; index++) {
    text += renderValue(values[index]) + strings[index + 1];
  }
  return new SqlFragment(text);
}

/** Joins fragments with a trusted separator, e.g. conditions with ` AND `. */
export function joinSql(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  return new SqlFragment(fragments.map((fragment) => fragment.text).join(separator));
}
