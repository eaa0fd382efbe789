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
