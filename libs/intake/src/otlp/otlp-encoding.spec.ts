import { encodeEmptyExportResponse, encodeExportTraceResponse, encodeOtlpStatus, GRPC_CODE, otlpEncodingOf } from './otlp-encoding';
import { otlpTraceTypes } from './otlp-proto';

describe('OTLP/HTTP response bodies', () => {
  it('recognises the two content types, with parameters and in any case', () => {
    expect(otlpEncodingOf('application/x-protobuf')).toBe('protobuf');
    expect(otlpEncodingOf('Application/JSON; charset=utf-8')).toBe('json');
    expect(otlpEncodingOf('application/protobuf')).toBeUndefined();
    expect(otlpEncodingOf(undefined)).toBeUndefined();
  });

  it('answers a fully accepted export with an empty ExportTraceServiceResponse', () => {
    expect(encodeExportTraceResponse('protobuf')).toEqual({ contentType: 'application/x-protobuf', body: Buffer.alloc(0) });
    expect(encodeExportTraceResponse('json')).toEqual({ contentType: 'application/json', body: Buffer.from('{}') });
  });

  it('encodes partial_success as field 1 of the response, as the current trace_service.proto declares it', () => {
    const { body } = encodeExportTraceResponse('protobuf', { rejectedSpans: 2, errorMessage: 'spans[3].traceId: expected 16 bytes' });
    // field 1, length-delimited { field 1 varint 2, field 2 string }
    expect(body.subarray(0, 5)).toEqual(Buffer.from([0x0a, 0x27, 0x08, 0x02, 0x12]));
    const { response } = otlpTraceTypes();
    expect(response.toObject(response.decode(body), { longs: Number })).toEqual({ partialSuccess: { rejectedSpans: 2, errorMessage: 'spans[3].traceId: expected 16 bytes' } });
    expect(JSON.parse(encodeExportTraceResponse('json', { rejectedSpans: 2, errorMessage: 'x' }).body.toString())).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'x' } });
  });

  it('answers metrics and logs exports with an empty response', () => {
    expect(encodeEmptyExportResponse('protobuf').body).toHaveLength(0);
    expect(encodeEmptyExportResponse('json').body.toString()).toBe('{}');
  });

  it('encodes errors as google.rpc.Status', () => {
    const { contentType, body } = encodeOtlpStatus('protobuf', GRPC_CODE.invalidArgument, 'bad');
    expect(contentType).toBe('application/x-protobuf');
    expect(body).toEqual(Buffer.from([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]));
    expect(JSON.parse(encodeOtlpStatus('json', GRPC_CODE.unavailable, 'later').body.toString())).toEqual({ code: 14, message: 'later' });
  });
});
