import { createHash } from 'node:crypto';
import type { IssueRecord, OccurrenceMessage } from '@faultline/contracts';

/** Deterministic 32-hex id, as the fingerprinter derives occurrence ids from (tenant, trace id, span id). */
export function hexId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** A unique tenant per test keeps tests independent inside the run's one database (tenant leads every key). */
export function uniqueTenant(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// A real Node.js stack as dd-trace reports it for an Express route that throws.
const NODE_STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at getOrder (/usr/src/app/src/orders/orders.controller.js:42:27)
    at Layer.handle [as handle_request] (/usr/src/app/node_modules/express/lib/router/layer.js:95:5)
    at next (/usr/src/app/node_modules/express/lib/router/route.js:149:13)
    at Route.dispatch (/usr/src/app/node_modules/express/lib/router/route.js:119:3)`;

export function occurrenceMessage(overrides: Partial<OccurrenceMessage> = {}): OccurrenceMessage {
  const tenant = overrides.tenant ?? 'default';
  const traceId = overrides.traceId ?? '5208512171318403364';
  const spanId = overrides.spanId ?? '1911447386232104137';
  return {
    schema: 'occurrence/v1',
    occurrenceId: hexId(tenant, traceId, spanId),
    tenant,
    fingerprint: hexId('fingerprint', 'TypeError', 'getOrder'),
    fingerprintVersion: 1,
    timestampMs: 1_732_500_000_123,
    receivedAt: 1_732_500_000_456,
    traceId,
    // As for a dd-trace 5 span: `_dd.p.tid`, then the 64-bit trace id in hex.
    traceIdHex: `6b063f2d00000000${BigInt(traceId).toString(16).padStart(16, '0')}`,
    spanId,
    service: 'orders-api',
    env: 'production',
    version: '1.4.2',
    host: 'ip-10-0-3-17',
    container: '3f4e1c9a2b7d',
    resource: 'GET /orders/:id',
    errorType: 'TypeError',
    errorMessage: "Cannot read properties of undefined (reading 'id')",
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    stack: NODE_STACK,
    frames: [
      { function: 'getOrder', file: 'orders.controller.js', module: null, line: 42, column: 27, inApp: true },
      { function: 'Layer.handle [as handle_request]', file: 'layer.js', module: 'express', line: 95, column: 5, inApp: false },
    ],
    culprit: 'getOrder (orders.controller.js)',
    tags: { 'http.method': 'GET', 'http.route': '/orders/:id', 'http.status_code': '500', 'runtime': 'nodejs', env: 'production' },
    ...overrides,
  };
}

export function issueRecord(overrides: Partial<IssueRecord> = {}): IssueRecord {
  return {
    tenant: 'default',
    issueId: hexId('issue', overrides.fingerprint ?? 'TypeError'),
    fingerprint: hexId('fingerprint', 'TypeError', 'getOrder'),
    fingerprintVersion: 1,
    service: 'orders-api',
    env: 'production',
    envs: ['production'],
    errorType: 'TypeError',
    errorMessage: "Cannot read properties of undefined (reading 'id')",
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    culprit: 'getOrder (orders.controller.js)',
    status: 'FOR_REVIEW',
    count: 1,
    firstSeenMs: 1_732_500_000_123,
    lastSeenMs: 1_732_500_000_123,
    firstVersion: '1.4.2',
    lastVersion: '1.4.2',
    regression: false,
    assignee: null,
    resolvedInVersion: null,
    revision: 1,
    ...overrides,
  };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * The occurrences the issue-detail reads are checked against, as the fingerprinter would emit them
 * for one tenant: issue `a` spread over versions, hosts (NULL and '' included), envs, routes, traces
 * and hours, with two occurrences at the same millisecond; issue `b` with two at the same millisecond.
 * `base` is on an hour boundary. `redelivered` names the occurrences whose rows are written again.
 */
export function issueDetailOccurrences(tenant: string, base: number) {
  let span = 0;
  const message = (name: string, changes: Partial<OccurrenceMessage>) => {
    span += 1;
    const traceId = changes.traceId ?? String(100 + span);
    return occurrenceMessage({
      tenant,
      spanId: String(span),
      traceId,
      traceIdHex: `6b063f2d00000000${BigInt(traceId).toString(16).padStart(16, '0')}`,
      occurrenceId: hexId(tenant, name),
      ...changes,
    });
  };
  const a = {
    // The previous day: found only when the reads do not assume one day per issue.
    a8: message('a8', { timestampMs: base - DAY_MS, version: '0.9', host: 'h3', env: 'production', traceId: '107', tags: { 'http.route': '/a' } }),
    a1: message('a1', { timestampMs: base, version: '1.0', host: 'h1', env: 'production', traceId: '101', tags: { 'http.route': '/a', 'http.status_code': '500' } }),
    // Same trace as a1.
    a2: message('a2', { timestampMs: base + 1000, version: '1.0', host: 'h1', env: 'staging', traceId: '101', tags: { 'http.route': '/a', 'http.status_code': '502' } }),
    // a3 and a4 share a millisecond; a4 has no route and no 128-bit trace id.
    a3: message('a3', { timestampMs: base + 2000, version: '1.1', host: 'h1', env: null, traceId: '102', tags: { 'http.route': '/b' } }),
    a4: message('a4', { timestampMs: base + 2000, version: '1.1', host: 'h2', env: 'production', traceId: '103', traceIdHex: null, tags: {} }),
    a5: message('a5', { timestampMs: base + 3000, version: null, host: null, env: null, traceId: '104', tags: { 'http.route': '/b' } }),
    // Version '' is not version NULL; same decimal trace id as a4, also without the 128-bit id.
    a6: message('a6', { timestampMs: base + HOUR_MS, version: '', host: null, env: 'staging', traceId: '103', traceIdHex: null, tags: { 'http.route': "/c'\\" } }),
    a7: message('a7', { timestampMs: base + 2 * HOUR_MS, version: '1.0', host: 'h1', env: 'production', traceId: '106', tags: { 'http.route': '/a' } }),
  };
  const b = {
    b1: message('b1', { timestampMs: base + 1500, version: '2.0', host: 'h9', traceId: '201', tags: { 'http.route': '/z' } }),
    b2: message('b2', { timestampMs: base + 1500, version: '2.0', host: 'h8', traceId: '201', tags: { 'http.route': '/z' } }),
  };
  return { a, b, redelivered: [a.a1, a.a3, a.a5, a.a7, b.b1] };
}
