import { ErrorSpanMessage, OccurrenceMessage } from '@faultline/contracts';
import { culpritOf } from './culprit';
import { computeFingerprint, customFingerprint, FINGERPRINT_VERSION } from './fingerprint';
import { occurrenceIdFor } from './ids';
import { normaliseMessage } from './normalise-message';
import { parseStack } from './parse-stack';

const NANOS_PER_MILLI = 1_000_000n;

/**
 * The fingerprinter's pure processing step (like Snuba's `process_message`): one validated
 * `error-span/v1` message in, one `occurrence/v1` message out. The input must have passed
 * `errorSpanMessageSchema`; then this never throws. Original message and stack are carried unchanged
 * for display; the template and parsed frames are what grouping used.
 */
export function toOccurrence(span: ErrorSpanMessage): OccurrenceMessage {
  const stack = parseStack(span.error.stack);
  const { frames } = stack;
  const messageTemplate = normaliseMessage(span.error.message);
  // The user's `error.fingerprint` wins; the issue id then scopes it to the span's service.
  const fingerprint = customFingerprint(span.errorFingerprint) ?? computeFingerprint({ errorType: span.error.type, messageTemplate, stack });
  return {
    schema: 'occurrence/v1',
    occurrenceId: occurrenceIdFor(span.tenant, span.traceId, span.spanId),
    tenant: span.tenant,
    fingerprint,
    fingerprintVersion: FINGERPRINT_VERSION,
    // startNs exceeds 2^53: divide as BigInt, then the millisecond value fits a number exactly.
    timestampMs: Number(BigInt(span.startNs) / NANOS_PER_MILLI),
    receivedAt: span.receivedAt,
    traceId: span.traceId,
    traceIdHex: span.traceIdHex,
    spanId: span.spanId,
    service: span.service,
    env: span.env,
    version: span.version,
    host: span.host,
    container: span.container,
    resource: span.resource,
    errorType: span.error.type,
    errorMessage: span.error.message,
    messageTemplate,
    stack: span.error.stack,
    frames,
    culprit: culpritOf(frames),
    tags: span.tags,
  };
}
