import { createHash } from 'node:crypto';
import type { IssueOccurrence } from '../src/issue-state.store';

/** 2024-11-25T00:00:00Z, an hour boundary: the fixtures' clock. */
export const T0 = 1_732_492_800_000;

/** A 32-hex-character id derived from `parts`, so fixtures get stable, distinct ids. */
export function hexId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

let tenantCounter = 0;
/** A tenant no other test (or earlier run against the same Redis) uses. */
export function uniqueTenant(prefix = 't'): string {
  return `${prefix}${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;
}

/** Occurrence `n` of `issue` of `tenant`, `n` seconds after T0, in orders-api 1.4.2 production. */
export function occurrence(tenant: string, issue: string, n: number, overrides: Partial<IssueOccurrence> = {}): IssueOccurrence {
  return {
    tenant,
    issueId: hexId(tenant, issue),
    occurrenceId: hexId(tenant, issue, 'occurrence', n),
    fingerprint: hexId('fingerprint', issue),
    fingerprintVersion: 1,
    service: 'orders-api',
    env: 'production',
    version: '1.4.2',
    errorType: 'TypeError',
    errorMessage: "Cannot read properties of undefined (reading 'id')",
    messageTemplate: "Cannot read properties of undefined (reading '<str>')",
    culprit: 'getOrder (orders.controller.js)',
    timestampMs: T0 + n * 1000,
    ...overrides,
  };
}
