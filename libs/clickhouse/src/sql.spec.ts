import { joinSql, raw, sql, sqlArray, sqlIdentifier, sqlNumber, sqlString, SqlFragment, type SqlValue } from './sql';

describe('sqlString', () => {
  it.each([
    ['plain', "'plain'"],
    ['', "''"],
    ["O'Brien", "'O\\'Brien'"],
    ["''", "'\\'\\''"],
    ['back\\slash', "'back\\\\slash'"],
    ['\\', "'\\\\'"],
    ["\\'", "'\\\\\\''"],
    ['nul\0byte', "'nul\\0byte'"],
    ['line1\nline2\r\n', "'line1\\nline2\\r\\n'"],
    ['tab\there', "'tab\\there'"],
    ['\b\f', "'\\b\\f'"],
    ['\u0001\u001b\u001f\u007f', "'\\x01\\x1b\\x1f\\x7f'"],
    ['"double" `back`', "'\"double\" `back`'"],
    ['naïve – 日本語 – 🐛', "'naïve – 日本語 – 🐛'"],
    ['\u2028\u2029', "'\u2028\u2029'"],
  ])('renders %j as %s', (input, expected) => {
    expect(sqlString(input)).toBe(expected);
  });

  it.each([
    "' OR 1=1 --",
    "'; DROP TABLE issues; --",
    "\\'; DROP TABLE issues; --",
    "x' UNION SELECT * FROM system.users --",
    "\\\\' OR '1'='1",
    "\n-- comment\n' OR 1",
    '\0\' OR 1=1 /*',
  ])('keeps the injection attempt %j inside one literal', (attempt) => {
    const literal = sqlString(attempt);
    expect(literal.startsWith("'")).toBe(true);
    expect(literal.endsWith("'")).toBe(true);
    // Every quote inside the literal is preceded by an odd number of backslashes (it is escaped).
    const inner = literal.slice(1, -1);
    for (let index = 0; index < inner.length; index++) {
      if (inner[index] !== "'") continue;
      let backslashes = 0;
      for (let back = index - 1; back >= 0 && inner[back] === '\\'; back--) backslashes++;
      expect(backslashes % 2).toBe(1);
    }
    // No raw line breaks survive, so a value can never start a new line or end a `--` comment.
    expect(inner).not.toMatch(/[\n\r\0]/);
    expect(unescapeLiteral(literal)).toBe(attempt);
  });

  it('round-trips every BMP control and punctuation character', () => {
    let everything = '';
    for (let code = 0; code < 0x80; code++) everything += String.fromCharCode(code);
    everything += 'é€😀';
    expect(unescapeLiteral(sqlString(everything))).toBe(everything);
  });

  it('rejects non-strings', () => {
    expect(() => sqlString(42 as unknown as string)).toThrow(TypeError);
    expect(() => sqlString(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('sqlNumber', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [1.5, '1.5'],
    [1700000000123, '1700000000123'],
    [1e21, '1e+21'],
    [2n ** 64n - 1n, '18446744073709551615'],
  ])('renders %p as %s', (input, expected) => {
    expect(sqlNumber(input)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('rejects %p', (input) => {
    expect(() => sqlNumber(input)).toThrow(TypeError);
  });

  it('rejects numeric strings (a string must go through sqlString)', () => {
    expect(() => sqlNumber('1 OR 1=1' as unknown as number)).toThrow(TypeError);
  });
});

describe('sqlIdentifier', () => {
  it.each([
    ['occurrences', '`occurrences`'],
    ['fl_test_123', '`fl_test_123`'],
    ['_private', '`_private`'],
    ['tags.key', '`tags.key`'],
  ])('quotes %s', (input, expected) => {
    expect(sqlIdentifier(input)).toBe(expected);
  });

  it.each(['', '1abc', 'a b', 'a`b', "a'b", 'a;b', 'db.table.column', 'a-b', 'naïve', 'x\0', 'x`; DROP TABLE t; --'])(
    'rejects %j',
    (input) => {
      expect(() => sqlIdentifier(input)).toThrow(TypeError);
    },
  );
});

describe('sqlArray', () => {
  it('renders mixed values', () => {
    expect(sqlArray(['a', "b'c", 1, 2n, true, null])).toBe("['a', 'b\\'c', 1, 2, 1, NULL]");
  });

  it('renders empty and nested arrays', () => {
    expect(sqlArray([])).toBe('[]');
    expect(sqlArray([['x'], []])).toBe("[['x'], []]");
  });

  it('rejects non-finite elements', () => {
    expect(() => sqlArray([1, NaN])).toThrow(TypeError);
  });
});

describe('sql template', () => {
  it('escapes each interpolated value by its type', () => {
    const query = sql`SELECT * FROM t WHERE a = ${"x' OR 1=1 --"} AND b = ${5} AND c IN ${['p', 'q']} AND d = ${null}`;
    expect(query).toBeInstanceOf(SqlFragment);
    expect(query.text).toBe("SELECT * FROM t WHERE a = 'x\\' OR 1=1 --' AND b = 5 AND c IN ['p', 'q'] AND d = NULL");
  });

  it('splices raw and nested fragments without escaping them again', () => {
    const condition = sql`tenant = ${'acme'}`;
    const query = sql`SELECT ${raw('a, b')} FROM ${raw(sqlIdentifier('db'))}.t WHERE ${condition}`;
    expect(query.text).toBe("SELECT a, b FROM `db`.t WHERE tenant = 'acme'");
    expect(String(query)).toBe(query.text);
  });

  it('joins fragments', () => {
    const conditions = [sql`a = ${1}`, sql`b = ${'x'}`];
    expect(joinSql(conditions, ' AND ').text).toBe("a = 1 AND b = 'x'");
    expect(joinSql([], ' AND ').text).toBe('');
  });

  it('renders booleans as 1/0 (18.16 has no boolean literals)', () => {
    expect(sql`${true} ${false}`.text).toBe('1 0');
  });

  it('rejects undefined, objects and non-finite numbers', () => {
    expect(() => sql`${undefined as unknown as SqlValue}`).toThrow(TypeError);
    expect(() => sql`${{ a: 1 } as unknown as SqlValue}`).toThrow(TypeError);
    expect(() => sql`${Infinity}`).toThrow(TypeError);
  });

  it('does not treat a plain string that looks like SQL as trusted', () => {
    expect(sql`SELECT ${'1; DROP TABLE issues'}`.text).toBe("SELECT '1; DROP TABLE issues'");
  });
});

/** Reads a literal back the way ClickHouse's lexer does, to prove the escaping is lossless. */
function unescapeLiteral(literal: string): string {
  const inner = literal.slice(1, -1);
  const simple: Record<string, string> = { '\\': '\\', "'": "'", '0': '\0', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  let out = '';
  for (let index = 0; index < inner.length; index++) {
    const char = inner[index];
    if (char !== '\\') {
      if (char === "'") throw new Error(`unescaped quote at ${index} in ${literal}`);
      out += char;
      continue;
    }
    const next = inner[++index];
    if (next === 'x') {
      out += String.fromCharCode(parseInt(inner.slice(index + 1, index + 3), 16));
      index += 2;
    } else if (next in simple) {
      out += simple[next];
    } else {
      throw new Error(`unknown escape \\${next}`);
    }
  }
  return out;
}
