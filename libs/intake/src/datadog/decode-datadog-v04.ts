import { isInteger, parse } from 'lossless-json';
import { IntakeError } from '../intake-error';
import type { DatadogTrace } from './datadog-span';
import { decodeMsgpackBody, mediaTypeOf } from './msgpack-body';
import { validateDatadogTraces } from './validate-datadog-traces';

/**
 * Decodes a `PUT|POST /v0.4/traces` body: an array of traces, each an array of spans, as msgpack
 * (what dd-trace sends) or JSON. Throws IntakeError 415 for any other content type and 400 for a
 * body that does not decode or does not have the v0.4 shape.
 */
export function decodeDatadogV04(body: Buffer, contentType: string | undefined): DatadogTrace[] {
  switch (mediaTypeOf(contentType)) {
    case 'application/msgpack':
    case 'application/x-msgpack':
      return validateDatadogTraces(decodeMsgpackBody(body));
    case 'application/json':
    case 'text/json':
      return validateDatadogTraces(decodeJson(body));
    default:
      throw new IntakeError(
        415,
        `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/msgpack or application/json`,
      );
  }
}

/** Integers stay exact as bigint (ids exceed 2^53); other numbers are ordinary floats (metrics). */
function parseJsonNumber(text: string): bigint | number {
  return isInteger(text) ? BigInt(text) : Number(text);
}

function decodeJson(body: Buffer): unknown {
  try {
    return parse(body.toString('utf8'), null, parseJsonNumber);
  } catch (error) {
    throw new IntakeError(400, `body: invalid JSON: ${(error as Error).message}`);
  }
}
