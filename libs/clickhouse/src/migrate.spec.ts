import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, MIGRATIONS_DIR, splitSqlStatements } from './migrate';

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

  const scratchDirs: string[] = [];
  const scratchDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-mig-'));
    scratchDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('rejects badly named files, duplicate versions and empty files', () => {
    const badName = scratchDir();
    writeFileSync(join(badName, '1_x.sql'), 'SELECT 1;');
    expect(() => loadMigrations(badName)).toThrow(/0001_snake_case/);

    const duplicate = scratchDir();
    writeFileSync(join(duplicate, '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(duplicate, '0001_b.sql'), 'SELECT 1;');
    expect(() => loadMigrations(duplicate)).toThrow(/share version 1/);

    const empty = scratchDir();
    writeFileSync(join(empty, '0001_a.sql'), '-- nothing\n');
    expect(() => loadMigrations(empty)).toThrow(/no statement/);

    expect(() => loadMigrations(join(empty, 'missing'))).toThrow(/not found/);
  });
});

describe('checksums', () => {
  // The files as applied by every database migrated before clusters were supported: their single-server
  // rendering must stay these bytes, or every existing database would refuse to migrate.
  const APPLIED_CHECKSUMS: Record<string, string> = {
    '0001_create_occurrences': '74470378415b9c649250ce78cb8f0931fd046540ae1eb3400f97b2902b7bbcfa',
    '0002_create_issues': '1b426a3c40496787f18c9ceaae63745485be5ef13ef036e7b6820528b461a2a7',
    '0003_add_occurrence_trace_id_hex': '561286d6621f83b4fe950e82a457b2144954a6b043755ee5bff4609a57b8a8ce',
    '0004_add_issue_regression': '1e880e22aea8769f04662df8314e076e30115b7b47ddc5eeb3480889b694e775',
    '0005_add_issue_assignee': 'f37d19a18cc2cc63b1ab1225526697c8628ab0163a572b4177c6fd14b2f6b145',
    '0006_add_issue_resolved_in_version': 'c6300ca46150fb3ea25d96c91fb836b259b34b345b78fa74573fa78dbfa454ed',
    '0007_create_issue_hourly_counts': 'd2b9da119b16af7054283f0f6de8e5d2655c8a7e03f56035d1714825e326f8a0',
    '0008_backfill_issue_hourly_counts': 'a999b5701aeff00d1072ddbb362e689df030812da19597ad33af2eb70a75c7ef',
    '0009_create_occurrences_by_issue': 'b1b427c4cd0e7bbb330e0b229f33e3954c717efa50e2ca608a8fff97e60c1612',
    '0010_backfill_occurrences_by_issue': 'dea257755c186688558934674d4d22ae25dae7f69ceedeedac71b5c0ceca3cd9',
    '0011_create_issue_facet_values': 'd85c18231b8260fe19db54553fa68b4274477ef5b4010abaf2f671f123e62251',
    '0012_backfill_issue_facet_values': '1a017fdd8928005c3be361fc9d740c4aac26551981c8d309a63c5f112d485538',
    '0013_create_issue_representatives': 'd6aa9505ce8c8564031764f07a23e7a7804d8452a7afebf69e0c73be145b7080',
    '0014_backfill_issue_representatives': '8fbb92f9d13f78b7a320432d51e6d3073cc5e2a3d34957c1b202faf483f1503f',
  };

  it('of the templated files are those of the files applied before cluster tags were added', () => {
    const checksums = Object.fromEntries(loadMigrations().map((migration) => [migration.name, migration.checksum]));
    for (const [name, checksum] of Object.entries(APPLIED_CHECKSUMS)) expect({ name, checksum: checksums[name] }).toEqual({ name, checksum });
  });
});
