import { sqlIdentifier, sqlString } from './sql';

/**
 * Renders the templated statements of `libs/clickhouse/migrations` for one server or for a cluster.
 *
 * Tags (`{{name}}` or `{{name argument}}`), and what they become:
 *
 * | tag                      | one server                 | cluster `<c>`                                                   |
 * |--------------------------|----------------------------|-----------------------------------------------------------------|
 * | `{{database}}`           | the back-quoted database   | the same                                                        |
 * | `{{on_cluster}}`         | nothing                    | ` ON CLUSTER <c>` (DDL runs on every host)                      |
 * | `{{local t}}`            | `t`                        | `t_local`, the shard's own table                                |
 * | `{{engine E(args)}}`     | `E(args)`                  | `ReplicatedE('/clickhouse/tables/{shard}/<db>/t_local', '{replica}', args)` |
 * | `{{tables t}}`           | `t`                        | the statement for `t_local`, then `t` re-created from it        |
 * | `{{materialized}}`       | `MATERIALIZED`             | `DEFAULT`                                                       |
 *
 * On a cluster a statement with `{{engine}}` (which creates the table of its one `{{local t}}`) is
 * followed by `CREATE TABLE t ON CLUSTER <c> AS t_local ENGINE = Distributed(<c>, <db>, t_local,
 * cityHash64(tenant, issue_id))`: the original name reads and writes every shard, so queries and
 * backfills keep their table names. A statement with `{{tables t}}` (an ALTER) changes the shard
 * tables and is followed by DROP and CREATE of the Distributed `t`, which takes the new columns from
 * `t_local`: 18.16 refuses ALTER ... ON CLUSTER of a Distributed table when the cluster's shards
 * replicate internally ("isn't replicated, but shard is replicated"), and a Distributed table holds
 * no rows (inserts are synchronous), so re-creating it loses nothing; queries that run in the
 * moment between the two fail and are retried like any failed query.
 *
 * Materialized views name their source and target with `{{local}}`, so every shard copies its own
 * rows into its own target: both are sharded by the issue, so they stay on the same shard as the
 * rows a backfill through the Distributed tables sends there.
 *
 * An ADD COLUMN file renders to three statements on a cluster. Like on one server it cannot be re-run
 * once its ALTER applied (18.16 has no IF NOT EXISTS there), so a failure after the ALTER (e.g. of the
 * Distributed table's re-creation) needs those statements run by hand before migrating again.
 *
 * A column computed from others is MATERIALIZED on one server and DEFAULT on a cluster: 18.16's
 * Distributed table computes such a column of an inserted block and forwards it, and a shard refuses
 * a MATERIALIZED column in an INSERT (the shard on the same server ignores the query's
 * insert_allow_materialized_columns). DEFAULT computes the same value from the same expression for
 * rows that omit the column, which every insert does; it only differs in that `SELECT *` includes it.
 *
 * Rendering for one server reproduces the files as they were before clusters were supported, byte
 * for byte (the checksum is taken of that text), so existing databases see no change at all.
 */

/** Where the migrations run: one server (`cluster` unset) or every host of a cluster of remote_servers. */
export interface MigrationTarget {
  database: string;
  /** A cluster of the servers' `remote_servers` config; unset or empty for a single server. */
  cluster?: string | null;
}

/**
 * Every table is sharded by the issue: an issue's occurrences, their unmerged ReplacingMergeTree
 * copies (same occurrence id, same issue) and its per-issue rows in the derived tables live on one
 * shard, so FINAL, LIMIT 1 BY occurrence_id and argMax per issue are exact per shard, and `IN`
 * subqueries on issue ids can read the shard's local tables (distributed_product_mode = 'local').
 * Every storage table has both columns.
 */
export const SHARDING_KEY = 'cityHash64(tenant, issue_id)';

/** The suffix of a storage table's shard-local name on a cluster. */
export const LOCAL_TABLE_SUFFIX = '_local';

const TAG = /\{\{([a-z_]+)(?:[ \t]+([^{}]*?))?\}\}/g;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MERGE_TREE_ENGINE = /^([A-Za-z]*MergeTree)(?:\((.*)\))?$/s;
const CLUSTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Checks a cluster name (what remote_servers may name a cluster and we can quote safely). */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) throw new TypeError(`cluster name must be letters, digits, _ . - (got ${JSON.stringify(name)})`);
  return name;
}

/** ` ON CLUSTER `name`` for a cluster, '' for one server. */
export function onClusterClause(cluster: string | null | undefined): string {
  return cluster ? ` ON CLUSTER \`${checkClusterName(cluster)}\`` : '';
}

/** The ZooKeeper path of a shard's replicated table: `{shard}` is a macro of the server config. */
export function replicatedTablePath(database: string, table: string): string {
  return `/clickhouse/tables/{shard}/${database}/${table}`;
}

/** The statement text as it is on a single server, `{{database}}` left in place: what the checksum is of. */
export function singleServerText(text: string): string {
  return text.replace(TAG, (tag, name: string, argument: string | undefined) => {
    if (name === 'database') return tag;
    return renderTag(name, argument, undefined).single;
  });
}

/**
 * The SQL statements one templated statement becomes on `target`: one, except on a cluster two for a
 * statement with `{{engine}}` and three for one with `{{tables}}`. Throws on an unknown or misused tag.
 */
export function renderMigrationStatement(statement: string, target: MigrationTarget): string[] {
  const database = sqlIdentifier(target.database);
  const cluster = target.cluster ? checkClusterName(target.cluster) : undefined;
  const tags = [...statement.matchAll(TAG)].map(([, name, argument]) => ({ name, argument: argument?.trim() }));
  const tablesOf = (tagName: string) => [...new Set(tags.filter((tag) => tag.name === tagName).map((tag) => tableArgument(tagName, tag.argument)))];
  const engines = tags.filter((tag) => tag.name === 'engine');
  const created = tablesOf('local');
  const altered = tablesOf('tables');
  if (engines.length > 1) throw new Error(`a statement can create one table ({{engine}} twice): ${firstLine(statement)}`);
  if (engines.length === 1 && created.length !== 1) {
    throw new Error(`{{engine}} needs the statement's one {{local table}} (the table it creates): ${firstLine(statement)}`);
  }
  if (altered.length > 1 || (altered.length === 1 && engines.length === 1)) {
    throw new Error(`{{tables}} names the one table a statement alters, without {{engine}}: ${firstLine(statement)}`);
  }

  const render = () =>
    statement.replace(TAG, (_tag, name: string, argument: string | undefined) => {
      if (name === 'database') return database;
      const rendered = renderTag(name, argument, cluster ? { cluster, database: target.database, table: created[0] } : undefined);
      return cluster ? rendered.cluster : rendered.single;
    });

  const statements = [render()];
  if (!cluster) return statements;
  if (engines.length === 1) statements.push(distributedTableStatement(target.database, cluster, created[0]));
  if (altered.length === 1) {
    statements.push(`DROP TABLE IF EXISTS ${database}.${sqlIdentifier(altered[0])}${onClusterClause(cluster)}`);
    statements.push(distributedTableStatement(target.database, cluster, altered[0]));
  }
  return statements;
}

/** The Distributed table in front of `table`'s shards, with its name and columns. */
export function distributedTableStatement(database: string, cluster: string, table: string): string {
  const db = sqlIdentifier(database);
  const local = `${table}${LOCAL_TABLE_SUFFIX}`;
  return (
    `CREATE TABLE IF NOT EXISTS ${db}.${sqlIdentifier(table)}${onClusterClause(cluster)} AS ${db}.${sqlIdentifier(local)}\n` +
    `ENGINE = Distributed(${sqlString(cluster)}, ${sqlString(database)}, ${sqlString(local)}, ${SHARDING_KEY})`
  );
}

interface ClusterContext {
  cluster: string;
  database: string;
  /** The table the statement creates, for the replication path of `{{engine}}`. */
  table: string | undefined;
}

function renderTag(name: string, argument: string | undefined, context: ClusterContext | undefined): { single: string; cluster: string } {
  switch (name) {
    case 'on_cluster':
      if (argument) throw new Error('{{on_cluster}} takes no argument');
      return { single: '', cluster: context ? onClusterClause(context.cluster) : '' };
    case 'materialized':
      if (argument) throw new Error('{{materialized}} takes no argument');
      return { single: 'MATERIALIZED', cluster: 'DEFAULT' };
    case 'local':
    case 'tables': {
      const table = tableArgument(name, argument);
      return { single: table, cluster: `${table}${LOCAL_TABLE_SUFFIX}` };
    }
    case 'engine': {
      const match = MERGE_TREE_ENGINE.exec(argument ?? '');
      if (!match) throw new Error(`{{engine}} takes a MergeTree engine, e.g. {{engine ReplacingMergeTree(revision)}} (got ${JSON.stringify(argument)})`);
      const [, engine, engineArguments] = match;
      if (!context?.table) return { single: argument as string, cluster: argument as string };
      // Explicit path and replica arguments: 18.16 has no defaults for them.
      const replication = [sqlString(replicatedTablePath(context.database, `${context.table}${LOCAL_TABLE_SUFFIX}`)), sqlString('{replica}')];
      if (engineArguments?.trim()) replication.push(engineArguments.trim());
      return { single: argument as string, cluster: `Replicated${engine}(${replication.join(', ')})` };
    }
    default:
      throw new Error(`unknown migration tag {{${name}}}`);
  }
}

function tableArgument(tag: string, argument: string | undefined): string {
  if (!argument || !PLAIN_NAME.test(argument)) throw new Error(`{{${tag}}} takes a plain table name (got ${JSON.stringify(argument)})`);
  return argument;
}

function firstLine(statement: string): string {
  return statement.split('\n')[0];
}
