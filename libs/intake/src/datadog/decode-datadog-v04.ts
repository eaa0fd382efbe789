import { decodeJsonBody } from '../json-body';
import { failIntake, IntakeError } from '../intake-error';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits, PayloadLimiter } from '../intake-limits';
import type { DatadogTrace } from './datadog-span';
import { decodeMsgpackBody, mediaTypeOf } from './msgpack-body';
import { validateDatadogTraces } from './validate-datadog-traces';

/** In a v0.4 body `[[span, ...], ...]`: traces are the values at level 1, spans at level 2. */
const TRACES_LEVEL = 1;
const SPANS_LEVEL = 2;

/**
 * Decodes a `PUT|POST /v0.4/traces` body: an array of traces, each an array of spans, as msgpack
 * (what dd-trace sends) or JSON. Throws IntakeError 415 for any other content type and 400 for a
 * body that does not decode or does not have the v0.4 shape, 413 for more spans than `limits` allow
 * (counted before decoding, for msgpack). Strings beyond their limits come out truncated (see IntakeLimits).
 */
export function decodeDatadogV04(body: Buffer, contentType: string | undefined, limits: IntakeLimits = DEFAULT_INTAKE_LIMITS): DatadogTrace[] {
  const limiter = new PayloadLimiter(limits);
  switch (mediaTypeOf(contentType)) {
    case 'application/msgpack':
    case 'application/x-msgpack': {
      const payload = decodeMsgpackBody(body, limits.maxNestingDepth, ({ valuesAtLevel }) => {
        limiter.checkSpanCount(valuesAtLevel[TRACES_LEVEL] ?? 0, 'traces', failIntake);
        limiter.checkSpanCount(valuesAtLevel[SPANS_LEVEL] ?? 0, 'spans', failIntake);
      });
      return validateDatadogTraces(payload, limiter);
    }
    case 'application/json':
    case 'text/json':
      return validateDatadogTraces(decodeJsonBody(body, limits.maxNestingDepth), limiter);
    default:
      throw new IntakeError(
        415,
        `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/msgpack or application/json`,
      );
  }
}
