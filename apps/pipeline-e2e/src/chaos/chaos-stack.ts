/**
 * What the chaos specs do to the stack their global setup brought up: read a process's pid from its
 * pid file (`<FAULTLINE_HOME>/pids/<name>.pid`, written by the local stack's supervisor), signal it,
 * measure how long it takes to exit, bring everything back with the real `up` CLI, and count what
 * reached ClickHouse. Timings are measured, never slept: every wait polls against a deadline.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
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

/**
 * Stops a process as an operator would: SIGTERM, then SIGKILL if it is still there after `graceMs`
 * (ClickHouse 18.16 may wait on its open client connections for longer). Answers which signal ended
 * it and when; fails when even SIGKILL did not within 5 s.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<{ signal: 'SIGTERM' | 'SIGKILL'; exitMs: number }> {
  const signalledAt = Date.now();
  process.kill(pid, 'SIGTERM');
  const exitMs = await msUntilExit(pid, signalledAt, graceMs);
  if (exitMs !== undefined) return { signal: 'SIGTERM', exitMs };
  process.kill(pid, 'SIGKILL');
  const killedMs = await msUntilExit(pid, signalledAt, graceMs + 5000);
  if (killedMs === undefined) throw new Error(`pid ${pid} survived SIGKILL`);
  return { signal: 'SIGKILL', exitMs: killedMs };
}

/**
 * `npm run up` for the chaos stack: starts whatever is down (and restarts the services after a new Kafka
 * mock). `env` reaches the processes it starts (as an operator's changed setting would).
 */
export async function up(env: Record<string, string> = {}): Promise<number> {
  const started = Date.now();
  await runStackCli('up', { ...chaosStackEnv(), ...env });
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
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const batches = spanIdBatches(firstSpanId, count, options.tracesPerRequest ?? 500);
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

function spanIdBatches(firstSpanId: number, count: number, perRequest: number): number[][] {
  const batches: number[][] = [];
  for (let offset = 0; offset < count; offset += perRequest) {
    batches.push(Array.from({ length: Math.min(perRequest, count - offset) }, (_, i) => firstSpanId + offset + i));
  }
  return batches;
}

export interface SteadySendResult {
  /** Spans acknowledged with 200. */
  accepted: number;
  requests: number;
  /** Every request not answered 200 (status 0: no answer), with when it was sent (ms after the start). */
  failures: { atMs: number; status: number }[];
  /** Slowest answer: ingestion must keep answering while a dependency it does not use is away. */
  maxLatencyMs: number;
}

/**
 * Like `sendErrorSpans`, but spread evenly over `durationMs` (requests of `tracesPerRequest` spans
 * started on a schedule, not waiting for each other), so that load is flowing while a spec stops
 * and restarts parts of the stack. `sent()` tells how many spans have been sent so far.
 */
export function sendErrorSpansSteadily(
  service: string,
  firstSpanId: number,
  count: number,
  durationMs: number,
  options: { tracesPerRequest?: number } = {},
): { done: Promise<SteadySendResult>; sent: () => number } {
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const batches = spanIdBatches(firstSpanId, count, options.tracesPerRequest ?? 25);
  const intervalMs = durationMs / batches.length;
  const started = Date.now();
  const result: SteadySendResult = { accepted: 0, requests: 0, failures: [], maxLatencyMs: 0 };
  let sent = 0;
  const send = async (ids: number[]) => {
    const sentAt = Date.now();
    const status = await putDatadogTraces(
      ingestionUrl(),
      ids.map((id) => [corpusSpan(corpusCase, service, id, startNs)]),
    ).catch(() => 0);
    result.maxLatencyMs = Math.max(result.maxLatencyMs, Date.now() - sentAt);
    result.requests += 1;
    if (status === 200) result.accepted += ids.length;
    else result.failures.push({ atMs: sentAt - started, status });
  };
  const done = (async () => {
    const requests: Promise<void>[] = [];
    for (const [index, ids] of batches.entries()) {
      // Pacing the load (not waiting for an outcome): request `index` leaves at its slot of the schedule.
      const slot = started + index * intervalMs - Date.now();
      if (slot > 0) await new Promise((resolve) => setTimeout(resolve, slot));
      sent += ids.length;
      requests.push(send(ids));
    }
    await Promise.all(requests);
    return result;
  })();
  return { done, sent: () => sent };
}

/** The chaos stack's setting `name` (its ports: AGGREGATOR_PORT, FAULTLINE_REDIS_PORT, ...). */
function stackSetting(name: string): string {
  const value = chaosStackEnv()[name];
  if (value === undefined) throw new Error(`the chaos stack sets no ${name}`);
  return value;
}

/** `GET /health/ready` of a service of the chaos stack: the status and the checks' report (status 0: no answer). */
export async function readiness(service: 'fingerprinter' | 'aggregator'): Promise<{ status: number; body: unknown }> {
  const port = stackSetting(service === 'aggregator' ? 'AGGREGATOR_PORT' : 'FINGERPRINTER_PORT');
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { status: 0, body: (error as Error).message };
  }
}

/**
 * One command to the chaos stack's Redis (RESP over a plain socket: the e2e tier may not import a
 * Redis client). Answers the reply: a string, a number, null, or an array of those.
 */
export function redisCommand(...args: string[]): Promise<RespReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(stackSetting('FAULTLINE_REDIS_PORT')), '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error('redis: no answer within 5000 ms')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResp(received, 0);
      if (!parsed) return;
      socket.end();
      if (parsed.value instanceof Error) reject(parsed.value);
      else resolve(parsed.value);
    });
    socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  });
}

export type RespReply = string | number | null | RespReply[];

/** One RESP reply from `offset`, or undefined while incomplete. */
function parseResp(buffer: Buffer, offset: number): { value: RespReply | Error; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+') return { value: line, end: next };
  if (type === '-') return { value: new Error(`redis: ${line}`), end: next };
  if (type === ':') return { value: Number(line), end: next };
  const length = Number(line);
  if (type === '$') {
    if (length < 0) return { value: null, end: next };
    if (buffer.length < next + length + 2) return undefined;
    return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
  }
  if (type === '*') {
    if (length < 0) return { value: null, end: next };
    const items: RespReply[] = [];
    let end = next;
    for (let i = 0; i < length; i++) {
      const item = parseResp(buffer, end);
      if (!item) return undefined;
      if (item.value instanceof Error) return item;
      items.push(item.value);
      end = item.end;
    }
    return { value: items, end };
  }
  return { value: new Error(`redis: unexpected reply type ${type}`), end: next };
}

/** The JSON lines of a process's log in the chaos stack (`<FAULTLINE_HOME>/logs/<name>.log`); other lines are skipped. */
export function logRecords(name: StackProcess): { time: number; msg: string; [field: string]: unknown }[] {
  const file = path.join(process.env.FAULTLINE_HOME as string, 'logs', `${name}.log`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const record = JSON.parse(line) as { time?: string; msg?: string };
        return typeof record.time === 'string' ? [{ ...record, time: Date.parse(record.time), msg: String(record.msg ?? '') }] : [];
      } catch {
        return [];
      }
    });
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

/** What storedSpans answers when span ids 1..`count` of a service are each stored once, and no others. */
export function eachStoredOnce(count: number): StoredSpans {
  return { occurrences: count, spanIds: count, spanIdsStoredTwice: 0, minSpanId: 1, maxSpanId: count };
}

/**
 * A spec's timeline, printed at its end: `mark(event)` records the event with the seconds since the
 * timeline began, so a failure's log shows how far the scenario got and when.
 */
export function startTimeline(): { mark: (event: string) => void; print: () => void } {
  const started = Date.now();
  const lines: string[] = [];
  return {
    mark: (event) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${event}`),
    print: () => console.log(lines.join('\n')),
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
