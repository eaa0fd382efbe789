import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindDatabase, loadMigrations, MIGRATIONS_DIR, splitSqlStatements } from './migrate';

describe('splitSqlStatements', () => {
  it('splits on a semicolon at the end of a line and drops comment lines', () => {
    const text = [
      '-- creates things; really',
      'CREATE TABLE a (x String) ENGINE = Memory;',
      '',
      '-- second;',
      "INSERT INTO a VALUES ('x;y');   ",
      'SELECT 1',
    ].join('\n');
    expect(splitSqlStatements(text)).toEqual(['CREATE TABLE a (x String) ENGINE = Memory', "INSERT INTO a VALUES ('x;y')", 'SELECT 1']);
  });

  it('handles CRLF files and files of comments only', () => {
    expect(splitSqlStatements('SELECT 1;\r\nSELECT 2;\r\n')).toEqual(['SELECT 1', 'SELECT 2']);
    expect(splitSqlStatements('-- nothing here\n\n')).toEqual([]);
  });
});

describe('loadMigrations', () => {
  it('finds the lib migrations directory from the source tree', () => {
    expect(MIGRATIONS_DIR.endsWith(join('libs', 'clickhouse', 'migrations'))).toBe(true);
  });

  it('loads the real migrations in order with stable checksums', () => {
    const migrations = loadMigrations();
    expect(migrations.map((migration) => migration.name).slice(0, 2)).toEqual(['0001_create_occurrences', '0002_create_issues']);
    migrations.forEach((migration, index) => {
      expect(migration.version).toBe(index + 1);
      expect(migration.checksum).toMatch(/^[0-9a-f]{64}$/);
      for (const statement of migration.statements) expect(statement).toContain('{{database}}');
    });
    expect(loadMigrations().map((migration) => migration.checksum)).toEqual(migrations.map((migration) => migration.checksum));
  });

  it('keeps every unguarded ADD COLUMN alone in its file (18.16 cannot re-run it; see the file rules)', () => {
    for (const migration of loadMigrations()) {
      if (migration.statements.some((statement) => /\bADD\s+COLUMN\b(?!\s+IF\s+NOT\s+EXISTS)/i.test(statement))) {
        expect({ migration: migration.name, statements: migration.statements.length }).toEqual({ migration: migration.name, statements: 1 });
      }
    }
  });

  it('rejects badly named files, duplicate versions and empty files', () => {
    const badName = mkdtempSync(join(tmpdir(), 'fl-mig-'));
    writeFileSync(join(badName, '1_x.sql'), 'SELECT 1;');
    expect(() => loadMigrations(badName)).toThrow(/0001_snake_case/);

    const duplicate = mkdtempSync(join(tmpdir(), 'fl-mig-'));
    writeFileSync(join(duplicate, '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(duplicate, '0001_b.sql'), 'SELECT 1;');
    expect(() => loadMigrations(duplicate)).toThrow(/share version 1/);

    const empty = mkdtempSync(join(tmpdir(), 'fl-mig-'));
    writeFileSync(join(empty, '0001_a.sql'), '-- nothing\n');
    expect(() => loadMigrations(empty)).toThrow(/no statement/);

    expect(() => loadMigrations(join(empty, 'missing'))).toThrow(/not found/);
  });
});

describe('bindDatabase', () => {
  it('substitutes a back-quoted database', () => {
    expect(bindDatabase('CREATE TABLE {{database}}.t AS {{database}}.u', 'fl_test')).toBe('CREATE TABLE `fl_test`.t AS `fl_test`.u');
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => bindDatabase('CREATE TABLE {{database}}.t', 'x`; DROP DATABASE y; --')).toThrow(TypeError);
  });
});
