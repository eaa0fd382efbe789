import type { OtelSpan } from '@faultline/domain';
import { isInteger, parse } from 'lossless-json';
import { IntakeError } from '../intake-error';
import { otlpEncodingOf } from './otlp-encoding';
import { otlpTraceTypes } from './otlp-proto';
import { readOtlpTraces } from './read-otlp-traces';

/**
 * Decodes a `POST /v1/traces` body (already decompressed) into protocol-neutral spans:
 * `application/x-protobuf` with protobufjs and the official opentelemetry-proto definitions,
 * `application/json` in the OTLP JSON encoding. Throws IntakeError 415 for another content type and
 * 400 (naming the field) for a body that does not decode or does not have the OTLP shape.
 */
export function decodeOtlpTraces(body: Buffer, contentType: string | undefined): OtelSpan[] {
  const encoding = otlpEncodingOf(contentType);
  switch (encoding) {
    case 'protobuf':
      return readOtlpTraces(decodeProtobuf(body), encoding);
    case 'json':
      return readOtlpTraces(decodeJson(body), encoding);
    default:
      throw new IntakeError(
        415,
        `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/x-protobuf or application/json`,
      );
  }
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
  // enums as numbers, bytes (ids) left as bytes.
  return request.toObject(message, { longs: String, enums: Number });
}

/** Integers stay exact as bigint (timestamps exceed 2^53 when sent as numbers); others are doubles. */
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
