import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { clusterSettings } from './clickhouse.client';
import { onClusterClause, renderMigrationStatement, singleServerText, type MigrationTarget } from './migration-template';
import { sql, sqlIdentifier, sqlString, raw } from './sql';

/**
 * Numbered, immutable SQL migrations (`libs/clickhouse/migrations/NNNN_name.sql`), applied in order
 * and recorded in `<database>.schema_migrations`. A file that was applied must never change: the
 * runner compares checksums and refuses to continue when one differs. Change the schema with a new
 * file instead.
 *
 * File rules:
 * - tables are written as `{{database}}.name`; the runner substitutes the back-quoted target
 *   database, so one client can migrate any database and no statement depends on the connection's
 *   default database;
 * - DDL carries the cluster tags of migration-template.ts: `{{on_cluster}}` after the object name,
 *   a storage table as `{{local name}}` with `ENGINE = {{engine XMergeTree(...)}}`, an ALTER of one as
 *   `{{tables name}}`, a materialized view's source and target as `{{local name}}`. Reads and
 *   backfills name plain `{{database}}.name`, the Distributed table on a cluster. Rendered for one
 *   server the tags give the plain SQL they replace (and the checksum is of that text), so a file
 *   keeps its checksum when tags are added to it;
 * - statements end with `;` at the end of a line; full-line `--` comments are dropped before
 *   splitting (so a `;` in a comment is harmless); a `;` must not end a line inside a string;
 * - statements must be safe to re-run (`IF NOT EXISTS`): a file that fails halfway is retried
 *   from its first statement. 18.16 cannot guard `ALTER TABLE ... ADD COLUMN` that way, so such a
 *   statement goes alone in its file: it has then either applied or not;
 * - SQL must run on ClickHouse 18.16 and current ClickHouse alike (see sql.ts).
 */

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const MIGRATIONS_SUBPATH = join('libs', 'clickhouse', 'migrations');

/**
 * Walks up from this file to the directory holding `libs/clickhouse/migrations`: the same answer
 * from ts-jest (`libs/clickhouse/src`) and from compiled code (`dist/libs/clickhouse/src`), whose
 * .sql files stay in the source tree.
 */
function findMigrationsDir(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, MIGRATIONS_SUBPATH);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  // Not found (e.g. an image without the SQL files): keep the source-tree guess; runMigrations
  // reports the missing directory when it is actually used.
  return resolve(start, '..', 'migrations');
}

export const MIGRATIONS_DIR: string = findMigrationsDir(__dirname);

export interface Migration {
  /** From the file name: `0002_create_issues.sql` -> 2. */
  version: number;
  /** File name without `.sql`, e.g. `0002_create_issues`. */
  name: string;
  /** sha256 of the file as rendered for a single server (its bytes, for a file without cluster tags), hex. */
  checksum: string;
  /** Templated: see renderMigrationStatement. */
  statements: string[];
}

export class MigrationChecksumError extends Error {
  constructor(
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${migration} was changed after it was applied (applied checksum ${appliedChecksum}, file ${fileChecksum}); ` +
        'applied migrations are immutable: restore the file and add a new migration instead',
    );
    this.name = 'MigrationChecksumError';
  }
}

/** Splits a migration file into statements (see the file rules above). */
export function splitSqlStatements(text: string): string[] {
  const withoutCommentLines = text
    .split(/\r?\n/)
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
  return withoutCommentLines
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** Reads and orders the migration files of `dir`. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) throw new Error(`ClickHouse migrations directory not found: ${dir}`);
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`migration file name must look like 0001_snake_case.sql: ${file}`);
    const bytes = readFileSync(join(dir, file));
    const statements = splitSqlStatements(bytes.toString('utf8'));
    if (statements.length === 0) throw new Error(`migration ${file} contains no statement`);
    migrations.push({
      version: Number(match[1]),
      name: file.slice(0, -'.sql'.length),
      checksum: createHash('sha256').update(singleServerText(bytes.toString('utf8'))).digest('hex'),
      statements,
    });
  }
  for (let index = 1; index < migrations.length; index++) {
    if (migrations[index].version === migrations[index - 1].version) {
      throw new Error(`two migrations share version ${migrations[index].version}: ${migrations[index - 1].name}, ${migrations[index].name}`);
    }
  }
  return migrations;
}

export interface MigrationOptions {
  log?: (message: string) => void;
  dir?: string;
  /**
   * A cluster of the servers' remote_servers config: the schema is created ON CLUSTER, sharded by
   * issue (see migration-template.ts). Unset: one server, the schema as it always was.
   */
  cluster?: string | null;
}

interface AppliedRow {
  version: number | string;
  name: string;
  checksum: string;
}

/**
 * Creates `database` if needed and applies the pending migrations in order, recording each one.
 * Returns the names of the migrations applied by this call (empty when the schema is current).
 *
 * Meant to run from one place (the migrate command, the test global setup), not from every
 * service at start-up: two concurrent runners could both apply a pending file (re-runnable files
 * then run twice, harmlessly; an ADD COLUMN file fails in the second runner).
 *
 * On a cluster, `schema_migrations` is one ReplicatedMergeTree table with a replica on every host
 * (not sharded) and each record is written with insert_quorum = every host, so a later run through
 * any host of the cluster sees every migration applied before it. Backfills insert through the
 * Distributed tables synchronously, so a migration is recorded only once its rows are on the shards.
 *
 * `client` may have any existing default database (or none): every statement is qualified.
 */
export async function runMigrations(client: ClickHouseClient, database: string, options: MigrationOptions = {}): Promise<string[]> {
  const { log = () => undefined, dir = MIGRATIONS_DIR } = options;
  const target: MigrationTarget = { database, cluster: options.cluster || null };
  const migrations = loadMigrations(dir);
  const db = raw(sqlIdentifier(database));
  const onCluster = raw(onClusterClause(target.cluster));
  const hosts = target.cluster ? await clusterHostCount(client, target.cluster) : 1;
  // On a cluster: backfills (INSERT ... SELECT into Distributed tables) return once every shard has its rows.
  const settings = clusterSettings(target.cluster);
  await client.command({ query: sql`CREATE DATABASE IF NOT EXISTS ${db}${onCluster}`.text });
  await client.command({
    query: sql`CREATE TABLE IF NOT EXISTS ${db}.schema_migrations${onCluster}
      (version UInt32, name String, checksum String, applied_at DateTime)
      ENGINE = ${raw(bookkeepingEngine(database, target.cluster))} ORDER BY version`.text,
  });

  const result = await client.query({
    query: sql`SELECT version, name, checksum FROM ${db}.schema_migrations ORDER BY version`.text,
    format: 'JSONEachRow',
  });
  const appliedByVersion = new Map<number, AppliedRow>();
  for (const row of await result.json<AppliedRow>()) appliedByVersion.set(Number(row.version), row);

  const known = new Set(migrations.map((migration) => migration.version));
  for (const [version, row] of appliedByVersion) {
    if (!known.has(version)) log(`clickhouse: ${database} has migration ${row.name} applied that is not on disk (newer code ran here?)`);
  }

  const applied: string[] = [];
  for (const migration of migrations) {
    const record = appliedByVersion.get(migration.version);
    if (record) {
      if (record.checksum !== migration.checksum) throw new MigrationChecksumError(migration.name, record.checksum, migration.checksum);
      continue;
    }
    log(`clickhouse: applying ${migration.name} to ${database}`);
    for (const [index, statement] of migration.statements.entries()) {
      try {
        for (const query of renderMigrationStatement(statement, target)) await client.command({ query, clickhouse_settings: settings });
      } catch (error) {
        throw new Error(`migration ${migration.name} failed at statement ${index + 1}: ${describe(error)}`, { cause: error });
      }
    }
    await client.command({
      query: sql`INSERT INTO ${db}.schema_migrations (version, name, checksum, applied_at)
        SELECT ${migration.version}, ${migration.name}, ${migration.checksum}, now()`.text,
      clickhouse_settings: hosts > 1 ? { insert_quorum: String(hosts) } : {},
    });
    applied.push(migration.name);
  }
  if (applied.length === 0) log(`clickhouse: ${database} schema is current (${migrations.length} migrations)`);
  return applied;
}

/**
 * The bookkeeping table: MergeTree on one server; on a cluster a replica on every host under one
 * ZooKeeper path (no `{shard}` in it), replica names made unique from the shard and replica macros.
 */
function bookkeepingEngine(database: string, cluster: string | null | undefined): string {
  if (!cluster) return 'MergeTree';
  return `ReplicatedMergeTree(${sqlString(`/clickhouse/tables/cluster-wide/${database}/schema_migrations`)}, '{shard}-{replica}')`;
}

/** Hosts of `cluster` as the server sees its remote_servers; fails fast when it does not know the cluster. */
async function clusterHostCount(client: ClickHouseClient, cluster: string): Promise<number> {
  const result = await client.query({ query: sql`SELECT count() AS hosts FROM system.clusters WHERE cluster = ${cluster}`.text, format: 'JSONEachRow' });
  const [row] = await result.json<{ hosts: number | string }>();
  const hosts = Number(row?.hosts ?? 0);
  if (hosts === 0) throw new Error(`ClickHouse cluster ${JSON.stringify(cluster)} is not in the server's remote_servers (CLICKHOUSE_CLUSTER)`);
  return hosts;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/LowCardinality/i.test(message) && /experimental/i.test(message)) {
    // ClickHouse 18.16 only: current versions reject this setting, so it cannot be sent by the client.
    return `${message} (on ClickHouse 18.x set allow_experimental_low_cardinality_type=1 in the server's user profile)`;
  }
  return message;
}
