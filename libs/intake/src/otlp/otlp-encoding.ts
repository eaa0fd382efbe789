import { otlpTraceTypes } from './otlp-proto';

/** The two OTLP/HTTP body encodings; a response always uses the encoding of its request. */
export type OtlpEncoding = 'protobuf' | 'json';

const CONTENT_TYPES: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** The encoding a `Content-Type` names, or undefined for anything OTLP/HTTP does not define. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  switch ((contentType ?? '').split(';', 1)[0].trim().toLowerCase()) {
    case 'application/x-protobuf':
      return 'protobuf';
    case 'application/json':
      return 'json';
    default:
      return undefined;
  }
}

export interface OtlpResponseBody {
  contentType: string;
  body: Buffer;
}

/** Spans the server did not accept from an otherwise accepted request (OTLP partial success). */
export interface OtlpPartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/**
 * An `ExportTraceServiceResponse`: empty when everything was accepted (the spec forbids setting
 * `partial_success` then), else carrying the count of rejected spans and why.
 */
export function encodeExportTraceResponse(encoding: OtlpEncoding, partialSuccess?: OtlpPartialSuccess): OtlpResponseBody {
  if (encoding === 'json') {
    // proto3 JSON mapping: int64 as a decimal string.
    const body = partialSuccess ? { partialSuccess: { rejectedSpans: String(partialSuccess.rejectedSpans), errorMessage: partialSuccess.errorMessage } } : {};
    return { contentType: CONTENT_TYPES.json, body: Buffer.from(JSON.stringify(body)) };
  }
  const { response } = otlpTraceTypes();
  return { contentType: CONTENT_TYPES.protobuf, body: Buffer.from(response.encode(response.fromObject(partialSuccess ? { partialSuccess } : {})).finish()) };
}

/** The empty `Export{Metrics,Logs}ServiceResponse`: zero bytes in protobuf, `{}` in JSON. */
export function encodeEmptyExportResponse(encoding: OtlpEncoding): OtlpResponseBody {
  return { contentType: CONTENT_TYPES[encoding], body: encoding === 'json' ? Buffer.from('{}') : Buffer.alloc(0) };
}

/** gRPC status codes used in error bodies (google.rpc.Code). */
export const GRPC_CODE = { invalidArgument: 3, resourceExhausted: 8, unavailable: 14 } as const;

/** A `google.rpc.Status`, the body OTLP/HTTP prescribes for 4xx/5xx responses. */
export function encodeOtlpStatus(encoding: OtlpEncoding, code: number, message: string): OtlpResponseBody {
  if (encoding === 'json') return { contentType: CONTENT_TYPES.json, body: Buffer.from(JSON.stringify({ code, message })) };
  const { status } = otlpTraceTypes();
  return { contentType: CONTENT_TYPES.protobuf, body: Buffer.from(status.encode(status.fromObject({ code, message })).finish()) };
}
