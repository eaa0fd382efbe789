import { decodeJsonBody } from '../json-body';
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
      return validateDatadogTraces(decodeJsonBody(body));
    default:
      throw new IntakeError(
        415,
        `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/msgpack or application/json`,
      );
  }
}
