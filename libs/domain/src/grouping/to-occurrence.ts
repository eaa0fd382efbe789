import { EMPTY_GROUPING_CONFIG, ErrorSpanMessage, GroupingConfig, InAppPatterns, OccurrenceMessage } from '@faultline/contracts';
import { culpritOf } from './culprit';
import { computeFingerprint, customFingerprint, FINGERPRINT_VERSION, ruleFingerprint } from './fingerprint';
import { matchGroupingRule } from './grouping-rules';
import { occurrenceIdFor } from './ids';
import { applyInAppPatterns } from './in-app-patterns';
import { normaliseMessage } from './normalise-message';
import { ParsedStack, parseStack } from './parse-stack';

const NANOS_PER_MILLI = 1_000_000n;

/**
 * The fingerprinter's pure processing step (like Snuba's `process_message`): one validated
 * `error-span/v1` message and its tenant's grouping config in, one `occurrence/v1` message out. The
 * input must have passed `errorSpanMessageSchema` and the config `groupingConfigSchema`; then this
 * never throws. Original message and stack are carried unchanged for display; the template and the
 * parsed frames (after the tenant's in-app patterns) are what grouping used.
 *
 * Fingerprint precedence: the span's `error.fingerprint` tag, else the tenant's first matching rule
 * (`matchGroupingRule`, over the whole cause chain's frames), else the computed v2 fingerprint. The
 * tenant's in-app patterns apply first: they change the frames and culprit of every occurrence, what
 * `frameContains` sees, and the computed fingerprint.
 */
export function toOccurrence(span: ErrorSpanMessage, config: GroupingConfig = EMPTY_GROUPING_CONFIG): OccurrenceMessage {
  const stack = withInAppPatterns(parseStack(span.error.stack), config.inApp);
  const { frames } = stack;
  const messageTemplate = normaliseMessage(span.error.message);
  // The issue id then scopes any of these to the span's service.
  const fingerprint =
    customFingerprint(span.errorFingerprint) ??
    matchingRuleFingerprint(span, messageTemplate, stack, config) ??
    computeFingerprint({ errorType: span.error.type, messageTemplate, stack });
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

function withInAppPatterns(stack: ParsedStack, patterns: InAppPatterns): ParsedStack {
  if (patterns.include.length === 0 && patterns.exclude.length === 0) return stack;
  const exceptions = stack.exceptions.map((exception) => ({ ...exception, frames: applyInAppPatterns(exception.frames, patterns) }));
  // `frames` is the reported exception's: exceptions[0]'s (parseStack returns no chain only for no frames).
  return { language: stack.language, frames: exceptions[0]?.frames ?? [], exceptions };
}

function matchingRuleFingerprint(span: ErrorSpanMessage, messageTemplate: string, stack: ParsedStack, config: GroupingConfig): string | null {
  if (config.rules.length === 0) return null;
  const frames = stack.exceptions.length > 0 ? stack.exceptions.flatMap((exception) => exception.frames) : stack.frames;
  const rule = matchGroupingRule(config.rules, { service: span.service, errorType: span.error.type, messageTemplate, frames });
  return rule === null ? null : ruleFingerprint(rule.groupKey);
}
