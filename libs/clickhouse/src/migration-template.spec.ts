import { loadMigrations } from './migrate';
import { distributedTableStatement, renderMigrationStatement, singleServerText } from './migration-template';

const single = { database: 'fl' };
const cluster = { database: 'fl', cluster: 'events' };

describe('renderMigrationStatement', () => {
  const createTable = 'CREATE TABLE IF NOT EXISTS {{database}}.{{local issues}}{{on_cluster}}\n(tenant String, issue_id String, revision UInt64)\nENGINE = {{engine ReplacingMergeTree(revision)}}\nORDER BY (tenant, issue_id)';

  it('gives the plain single-server statement', () => {
    expect(renderMigrationStatement(createTable, single)).toEqual([
      'CREATE TABLE IF NOT EXISTS `fl`.issues\n(tenant String, issue_id String, revision UInt64)\nENGINE = ReplacingMergeTree(revision)\nORDER BY (tenant, issue_id)',
    ]);
    expect(renderMigrationStatement(createTable, { database: 'fl', cluster: '' })).toEqual(renderMigrationStatement(createTable, single));
  });

  it('creates a replicated shard table ON CLUSTER and the Distributed table in front of it', () => {
    expect(renderMigrationStatement(createTable, cluster)).toEqual([
      "CREATE TABLE IF NOT EXISTS `fl`.issues_local ON CLUSTER `events`\n(tenant String, issue_id String, revision UInt64)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fl/issues_local', '{replica}', revision)\nORDER BY (tenant, issue_id)",
      "CREATE TABLE IF NOT EXISTS `fl`.`issues` ON CLUSTER `events` AS `fl`.`issues_local`\nENGINE = Distributed('events', 'fl', 'issues_local', cityHash64(tenant, issue_id))",
    ]);
  });

  it('gives an engine without arguments only the replication ones', () => {
    const [local] = renderMigrationStatement('CREATE TABLE {{database}}.{{local t}}{{on_cluster}} (x String) ENGINE = {{engine ReplacingMergeTree}} ORDER BY x', cluster);
    expect(local).toBe("CREATE TABLE `fl`.t_local ON CLUSTER `events` (x String) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fl/t_local', '{replica}') ORDER BY x");
  });

  it('alters the shard tables, then re-creates the Distributed table from them', () => {
    const alter = "ALTER TABLE {{database}}.{{tables issues}}{{on_cluster}} ADD COLUMN regression UInt8 DEFAULT 0 AFTER last_version";
    expect(renderMigrationStatement(alter, single)).toEqual(['ALTER TABLE `fl`.issues ADD COLUMN regression UInt8 DEFAULT 0 AFTER last_version']);
    expect(renderMigrationStatement(alter, cluster)).toEqual([
      'ALTER TABLE `fl`.issues_local ON CLUSTER `events` ADD COLUMN regression UInt8 DEFAULT 0 AFTER last_version',
      'DROP TABLE IF EXISTS `fl`.`issues` ON CLUSTER `events`',
      distributedTableStatement('fl', 'events', 'issues'),
    ]);
  });

  it('points a materialized view from shard table to shard table, and leaves backfills on the Distributed tables', () => {
    const view = 'CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.copy_mv{{on_cluster}} TO {{database}}.{{local copy}} AS SELECT tenant, issue_id FROM {{database}}.{{local occurrences}}';
    expect(renderMigrationStatement(view, cluster)).toEqual([
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `fl`.copy_mv ON CLUSTER `events` TO `fl`.copy_local AS SELECT tenant, issue_id FROM `fl`.occurrences_local',
    ]);
    const backfill = 'INSERT INTO {{database}}.copy (tenant, issue_id) SELECT tenant, issue_id FROM {{database}}.occurrences';
    expect(renderMigrationStatement(backfill, cluster)).toEqual(['INSERT INTO `fl`.copy (tenant, issue_id) SELECT tenant, issue_id FROM `fl`.occurrences']);
  });

  it('makes a computed column DEFAULT on a cluster, where the Distributed table forwards it', () => {
    const column = "CREATE TABLE {{database}}.{{local t}}{{on_cluster}} (ms UInt64, ts DateTime {{materialized}} toDateTime(intDiv(ms, 1000))) ENGINE = {{engine MergeTree}} ORDER BY ms";
    expect(renderMigrationStatement(column, single)[0]).toContain('ts DateTime MATERIALIZED toDateTime(intDiv(ms, 1000))');
    expect(renderMigrationStatement(column, cluster)[0]).toContain('ts DateTime DEFAULT toDateTime(intDiv(ms, 1000))');
  });

  it('refuses unknown and misused tags, bad names and bad clusters', () => {
    expect(() => renderMigrationStatement('SELECT {{shard}}', single)).toThrow(/unknown migration tag/);
    expect(() => renderMigrationStatement('CREATE TABLE t (x String) ENGINE = {{engine MergeTree}}', cluster)).toThrow(/needs the statement's one \{\{local table\}\}/);
    expect(() => renderMigrationStatement('CREATE TABLE {{local a}} AS {{local b}} ENGINE = {{engine MergeTree}}', cluster)).toThrow(/one \{\{local table\}\}/);
    expect(() => renderMigrationStatement('CREATE TABLE {{local a}} ENGINE = {{engine Memory}}', cluster)).toThrow(/MergeTree engine/);
    expect(() => renderMigrationStatement('ALTER TABLE {{tables a}} MODIFY x, {{tables b}}', cluster)).toThrow(/one table/);
    expect(() => renderMigrationStatement('SELECT * FROM {{local a-b}}', cluster)).toThrow(/plain table name/);
    expect(() => renderMigrationStatement('SELECT 1', { database: 'fl', cluster: "x' OR 1" })).toThrow(TypeError);
    expect(() => renderMigrationStatement('SELECT 1', { database: 'x`; DROP DATABASE y; --' })).toThrow(TypeError);
    expect(() => distributedTableStatement('fl', 'bad name', 't')).toThrow(TypeError);
  });
});

describe('the migrations', () => {
  const migrations = loadMigrations();

  it('render for one server to exactly their text without tags', () => {
    for (const migration of migrations) {
      for (const statement of migration.statements) {
        expect(renderMigrationStatement(statement, single)).toEqual([singleServerText(statement).split('{{database}}').join('`fl`')]);
      }
    }
  });

  it('create every storage table on a cluster as a replicated shard table behind a Distributed table sharded by issue', () => {
    const created = migrations.flatMap((migration) => migration.statements.flatMap((statement) => renderMigrationStatement(statement, cluster)));
    const tables = ['occurrences', 'issues', 'issue_hourly_counts', 'occurrences_by_issue', 'issue_facet_values', 'issue_representatives'];
    for (const table of tables) {
      expect(created.filter((statement) => statement.startsWith(`CREATE TABLE IF NOT EXISTS \`fl\`.${table}_local ON CLUSTER \`events\``))).toHaveLength(1);
      expect(created).toContain(distributedTableStatement('fl', 'events', table));
    }
    for (const statement of created.filter((text) => /^(CREATE|ALTER)/.test(text))) {
      expect(statement).toContain(' ON CLUSTER `events`');
      if (statement.includes('MergeTree')) expect(statement).toMatch(/ENGINE = Replicated\w*MergeTree\('\/clickhouse\/tables\/\{shard\}\/fl\/\w+_local', '\{replica\}'/);
    }
    // Views read and write the shard's tables; nothing else names a shard table.
    for (const view of created.filter((text) => text.startsWith('CREATE MATERIALIZED VIEW'))) {
      expect(view).toMatch(/ TO `fl`\.\w+_local AS\s/);
      expect(view).toMatch(/FROM `fl`\.occurrences_local\b/);
    }
    for (const backfill of created.filter((text) => text.startsWith('INSERT'))) expect(backfill).not.toContain('_local');
  });
});
