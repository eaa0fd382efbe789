import { decodeJsonBody } from '../json-body';
import { IntakeError } from '../intake-error';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits, PayloadLimiter } from '../intake-limits';
import { countOtlpProtobufSpans } from './count-otlp-spans';
import { otlpEncodingOf, type OtlpPartialSuccess } from './otlp-encoding';
import { otlpTraceTypes } from './otlp-proto';
import { checkOtlpSpanCounts, type OtlpTraces, readOtlpTraces } from './read-otlp-traces';

export type { OtlpTraces } from './read-otlp-traces';

/** Rejected spans named in a message; an exporter logs it, so a few examples are enough. */
const REJECTED_SPANS_NAMED = 3;

/**
 * Decodes a `POST /v1/traces` body (already decompressed) into protocol-neutral spans:
 * `application/x-protobuf` with protobufjs and the official opentelemetry-proto definitions,
 * `application/json` in the OTLP JSON encoding. Throws IntakeError 415 for another content type and
 * 400 (naming the field) for a body that does not decode or does not have the OTLP shape.
 *
 * A span with a bad field is rejected on its own and listed in `rejectedSpans` (the answer is then
 * a partial success, see `otlpPartialSuccessOf`). But when every span of a non-empty request is
 * rejected, it throws IntakeError 400 instead: a 200 would make the exporter believe its spans
 * were accepted, while nothing of its request is used.
 *
 * Limits: 413 for more spans than `limits.maxSpansPerPayload` (for protobuf, counted on the wire
 * before decoding); strings beyond their limits come out truncated (see IntakeLimits).
 */
export function decodeOtlpTraces(body: Buffer, contentType: string | undefined, limits: IntakeLimits = DEFAULT_INTAKE_LIMITS): OtlpTraces {
  const encoding = otlpEncodingOf(contentType);
  const limiter = new PayloadLimiter(limits);
  let traces: OtlpTraces;
  switch (encoding) {
    case 'protobuf':
      checkOtlpSpanCounts(countOtlpProtobufSpans(body), limiter);
      traces = readOtlpTraces(decodeProtobuf(body), encoding, limiter);
      break;
    case 'json':
      traces = readOtlpTraces(decodeJsonBody(body, limits.maxNestingDepth), encoding, limiter);
      break;
    default:
      throw new IntakeError(
        415,
        `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/x-protobuf or application/json`,
      );
  }
  const { spans, rejectedSpans } = traces;
  if (spans.length === 0 && rejectedSpans.length > 0) {
    // One span's problem reads like any other field error; several are summarised like a partial success.
    throw new IntakeError(400, rejectedSpans.length === 1 ? rejectedSpans[0] : describeRejectedSpans(rejectedSpans));
  }
  return traces;
}

/**
 * The `partial_success` of the answer to a request some of whose spans were rejected (undefined when
 * none were): their count, and a message naming the first few spans and fields.
 */
export function otlpPartialSuccessOf(rejectedSpans: readonly string[]): OtlpPartialSuccess | undefined {
  if (rejectedSpans.length === 0) return undefined;
  return { rejectedSpans: rejectedSpans.length, errorMessage: describeRejectedSpans(rejectedSpans) };
}

/** `2 spans rejected: resourceSpans[0].scopeSpans[0].spans[3].spanId: expected 16 hex characters; ...` */
function describeRejectedSpans(rejectedSpans: readonly string[]): string {
  const count = rejectedSpans.length;
  const named = rejectedSpans.slice(0, REJECTED_SPANS_NAMED).join('; ');
  const unnamed = count > REJECTED_SPANS_NAMED ? `; and ${count - REJECTED_SPANS_NAMED} more` : '';
  return `${count} ${count === 1 ? 'span' : 'spans'} rejected: ${named}${unnamed}`;
}

function decodeProtobuf(body: Buffer): unknown {
  const { request } = otlpTraceTypes();
  let message: ReturnType<typeof request.decode>;
  try {
    message = request.decode(body);
  } catch (error) {
    throw new IntakeError(400, `body: invalid protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  // Plain object with the JSON encoding's field names; 64-bit integers as exact decimal strings,
  // enums as numbers, bytes (ids) left as bytes. Recursive like decode: attribute values nested
  // deep enough to pass one may overflow the stack in the other.
  try {
    return request.toObject(message, { longs: String, enums: Number });
  } catch (error) {
    throw new IntakeError(400, `body: invalid protobuf ExportTraceServiceRequest: ${(error as Error).message}`);
  }
}
