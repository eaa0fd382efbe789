import { sha256Hex } from './hash';

/**
 * Deterministic ids. An occurrence is one span of one trace: a tracer resend or a Kafka redelivery
 * produces the same id, so downstream writes can deduplicate. An issue is one fingerprint within a
 * tenant. Each hash is domain-tagged so an occurrence id can never collide with an issue id by input.
 */
export function occurrenceIdFor(tenant: string, traceId: string, spanId: string): string {
  return sha256Hex(['occurrence', tenant, traceId, spanId]).slice(0, 32);
}

/**
 * An issue is one fingerprint within one service (as Datadog scopes them): the same library bug in two
 * services is two issues with their own owners, states and versions. The fingerprint itself stays
 * service-free, so the same bug matches across protocols and services.
 */
export function issueIdFor(tenant: string, service: string, fingerprint: string): string {
  return sha256Hex(['issue', tenant, service, fingerprint]).slice(0, 16);
}
