/**
 * What the chaos specs do to the stack their global setup brought up: read a process's pid from its
 * pid file (`<FAULTLINE_HOME>/pids/<name>.pid`, written by the local stack's supervisor), signal it,
 * measure how long it takes to exit, bring everything back with the real `up` CLI, and count what
 * reached ClickHouse. Timings are measured, never slept: every wait polls against a deadline.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CorpusCase, readCorpus } from '@faultline/domain/corpus';
import { runStackCli } from '../support/global-setup';
import { corpusSpan, putDatadogTraces } from '../support/datadog-spans';
import { eventually, graphql } from '../support/graphql-client';
import { gatewayUrl } from '../support/issues';
import { chaosStackEnv } from './chaos-global-setup';

export const SERVICES = ['ingestion', 'fingerprinter', 'aggregator', 'gateway'] as const;
export type StackProcess = (typeof SERVICES)[number] | 'redis' | 'clickhouse' | 'kafka';

export const ingestionUrl = (): string => process.env.FAULTLINE_INGESTION_URL as string;

/** The pid in `pids/<name>.pid`; fails the spec when the file is missing or names a dead process. */
export function pidOf(name: StackProcess): number {
  const file = path.join(process.env.FAULTLINE_HOME as string, 'pids', `${name}.pid`);
  if (!fs.existsSync(file)) throw new Error(`no pid file ${file}`);
  const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`${file} holds no pid`);
  if (!isAlive(pid)) throw new Error(`${name} (pid ${pid} from ${file}) is not running`);
  return pid;
}

/** Alive and not a zombie (the supervisor detaches its children, so nobody here reaps them). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Milliseconds until `pid` is gone, polled every 20 ms; `undefined` when it outlived `timeoutMs`. */
export async function msUntilExit(pid: number, since: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = since + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - since;
}

/** `npm run up` for the chaos stack: starts whatever is down (and restarts the services after a new Kafka mock). */
export async function up(): Promise<number> {
  const started = Date.now();
  await runStackCli('up', chaosStackEnv());
  return Date.now() - started;
}

const STACK_PROCESSES: StackProcess[] = [...SERVICES, 'redis', 'clickhouse', 'kafka'];

/** After a spec, even a failed one: `up` when any process of the stack is down, so the next spec finds it whole. */
export async function ensureUp(): Promise<void> {
  const down = STACK_PROCESSES.filter((name) => {
    try {
      pidOf(name);
      return false;
    } catch {
      return true;
    }
  });
  if (down.length > 0) await up();
}

const corpusCase: CorpusCase = readCorpus()[0];

/**
 * `count` error spans of one corpus case (one issue) for `service`, span ids `firstSpanId`…, sent as
 * Datadog v0.4 JSON, `tracesPerRequest` traces of one span per request, `concurrency` requests at once.
 * Answers how many spans were acknowledged with 200 and the statuses of the rest.
 */
export async function sendErrorSpans(
  service: string,
  firstSpanId: number,
  count: number,
  options: { tracesPerRequest?: number; concurrency?: number } = {},
): Promise<{ accepted: number; statuses: number[] }> {
  const perRequest = options.tracesPerRequest ?? 500;
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const batches: number[][] = [];
  for (let offset = 0; offset < count; offset += perRequest) {
    batches.push(Array.from({ length: Math.min(perRequest, count - offset) }, (_, i) => firstSpanId + offset + i));
  }
  let accepted = 0;
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const ids = batches[next++];
      const status = await putDatadogTraces(
        ingestionUrl(),
        ids.map((id) => [corpusSpan(corpusCase, service, id, startNs)]),
      ).catch(() => 0);
      if (status === 200) accepted += ids.length;
      else statuses.push(status);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return { accepted, statuses };
}

/** A query against the chaos stack's ClickHouse over HTTP (JSON rows). */
export async function clickhouseRows<T>(sql: string): Promise<T[]> {
  const url = new URL(process.env.CLICKHOUSE_URL as string);
  url.searchParams.set('database', process.env.CLICKHOUSE_DATABASE as string);
  url.searchParams.set('query', `${sql} FORMAT JSON`);
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: T[] }).data;
}

export interface StoredSpans {
  /** Distinct occurrence ids of the service. */
  occurrences: number;
  /** Distinct span ids of the service. */
  spanIds: number;
  /** Span ids stored under more than one occurrence id (a span counted twice): should be 0. */
  spanIdsStoredTwice: number;
  minSpanId: number;
  maxSpanId: number;
}

/**
 * What ClickHouse holds for one service. Rows of a redelivered batch are physical duplicates until a
 * merge (ReplacingMergeTree, see README "Delivery and deduplication"), so this counts distinct ids, as
 * every read does.
 */
export async function storedSpans(service: string): Promise<StoredSpans> {
  const quoted = `'${service.replace(/'/g, "\\'")}'`;
  const [row] = await clickhouseRows<Record<string, string | number>>(
    `SELECT uniqExact(occurrence_id) AS occurrences, uniqExact(span_id) AS spanIds, min(toUInt64(span_id)) AS minSpanId, max(toUInt64(span_id)) AS maxSpanId FROM occurrences WHERE service = ${quoted}`,
  );
  const [twice] = await clickhouseRows<Record<string, string | number>>(
    `SELECT count() AS n FROM (SELECT span_id FROM occurrences WHERE service = ${quoted} GROUP BY span_id HAVING uniqExact(occurrence_id) > 1)`,
  );
  return {
    occurrences: Number(row.occurrences),
    spanIds: Number(row.spanIds),
    spanIdsStoredTwice: Number(twice.n),
    minSpanId: Number(row.minSpanId),
    maxSpanId: Number(row.maxSpanId),
  };
}

export interface IssueCounts {
  /** Issues of the service. */
  issues: number;
  /** Sum of the issues' counters (Redis). */
  count: number;
  /** Sum of the issues' stored occurrences (ClickHouse, distinct ids). */
  occurrences: number;
}

const COUNTS_QUERY = `query Counts($service: String!) {
  issues(filter: { service: $service }, first: 20) { totalCount edges { node { count occurrences(first: 1) { totalCount } } } }
}`;

/** The service's counts as the explorer reads them, through the gateway's GraphQL API (a cheap query). */
export async function issueCounts(service: string): Promise<IssueCounts> {
  const data = await graphql<{ issues: { totalCount: number; edges: { node: { count: number; occurrences: { totalCount: number } } }[] } }>(
    gatewayUrl(),
    COUNTS_QUERY,
    { service },
  );
  const nodes = data.issues.edges.map((edge) => edge.node);
  return {
    issues: data.issues.totalCount,
    count: nodes.reduce((sum, node) => sum + node.count, 0),
    occurrences: nodes.reduce((sum, node) => sum + node.occurrences.totalCount, 0),
  };
}

/**
 * Polls the counts until `done`, then reads them once more after `settleMs` (a pipeline that counted a
 * redelivered copy has had time to show it); fails with the last counts at the deadline.
 */
export async function settledCounts(service: string, done: (counts: IssueCounts) => boolean, timeoutMs: number, settleMs = 2000): Promise<IssueCounts> {
  const counts = await eventually(() => issueCounts(service), done, timeoutMs);
  if (!done(counts)) return counts;
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return issueCounts(service);
}
