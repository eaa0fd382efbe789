import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectErrorSpans } from '@faultline/domain';
import { decodeDatadogV04 } from './decode-datadog-v04';
import { datadogSpanToSpan, datadogTraceToSpans, UNNAMED_SERVICE } from './datadog-span.mapper';
import type { DatadogSpan } from './datadog-span';

const ddTracePayload = readFileSync(join(__dirname, '..', '__fixtures__', 'dd-trace-v04.payload.msgpack'));

describe('datadogTraceToSpans', () => {
  const traces = decodeDatadogV04(ddTracePayload, 'application/msgpack').map((trace) => datadogTraceToSpans(trace));

  it('keeps exactly the 3 failing requests of the captured dd-trace payload, one entry span each', () => {
    const selections = traces.map(selectErrorSpans);
    const kept = selections.flatMap((selection) => selection.kept);

    expect(kept.map((span) => [span.traceId, span.spanId, span.name, span.meta['error.type']])).toEqual([
      ['777891375745167655', '777891375745167655', 'express.request', 'TypeError'],
      ['3983546689382542143', '3983546689382542143', 'express.request', 'PaymentDeclinedError'],
      ['6405301015374809313', '6405301015374809313', 'express.request', 'Error'],
    ]);
    // Two copies of the error on router.middleware children per failing request.
    expect(selections.reduce((sum, selection) => sum + (selection.dropped.not_service_entry ?? 0), 0)).toBe(6);
  });

  it('turns ids and start into decimal strings and the error flag into a boolean', () => {
    const entry = traces[3][0];
    expect(entry).toMatchObject({
      traceId: '3983546689382542143',
      spanId: '3983546689382542143',
      parentId: '0',
      startNs: '1795571501272004352',
      durationNs: 997070,
      error: true,
      type: 'web',
    });
    expect(traces[3][1].type).toBeUndefined();
  });

  it('gives the full 128-bit trace id in hex: _dd.p.tid of the chunk, then trace_id as 16 hex', () => {
    const entry = traces[3][0];
    expect(entry.meta['_dd.p.tid']).toBe('6b063f2d00000000');
    // 3983546689382542143 = 0x3748669bb6d46b3f
    expect(entry.traceIdHex).toBe(`6b063f2d00000000${(3983546689382542143n).toString(16).padStart(16, '0')}`);
    expect(entry.traceIdHex).toBe('6b063f2d000000003748669bb6d46b3f');
    // dd-trace sends _dd.p.tid on the chunk's first span only; its other spans are of the same trace.
    expect(traces[3].slice(1).map((span) => [span.meta['_dd.p.tid'], span.traceIdHex])).toEqual([
      [undefined, '6b063f2d000000003748669bb6d46b3f'],
      [undefined, '6b063f2d000000003748669bb6d46b3f'],
      [undefined, '6b063f2d000000003748669bb6d46b3f'],
    ]);
  });
});

describe('datadogSpanToSpan', () => {
  const span = (meta: Record<string, string>): DatadogSpan => ({ trace_id: 3983546689382542143n, span_id: 2n, parent_id: 0n, service: 's', name: 'n', resource: 'r', start: 1n, duration: 1n, error: 0, meta, metrics: {}, type: '' });

  it('takes the upper 64 bits from the span itself unless given those of its chunk', () => {
    expect(datadogSpanToSpan(span({ '_dd.p.tid': '6b063f2d00000000' })).traceIdHex).toBe('6b063f2d000000003748669bb6d46b3f');
    expect(datadogSpanToSpan(span({}), '0000000100000000').traceIdHex).toBe('00000001000000003748669bb6d46b3f');
  });

  it('reads the upper half as zeros without _dd.p.tid (a 64-bit id) or with a malformed one', () => {
    expect(datadogSpanToSpan(span({})).traceIdHex).toBe('00000000000000003748669bb6d46b3f');
    expect(datadogSpanToSpan(span({ '_dd.p.tid': '6b063f2d' })).traceIdHex).toBe('00000000000000003748669bb6d46b3f');
  });

  it('names a span without a service as the agent does', () => {
    expect(datadogSpanToSpan({ ...span({}), service: '' }).service).toBe(UNNAMED_SERVICE);
  });

  it('keeps _dd.p.tid in meta, where the error-span message leaves _dd.* out of the tags', () => {
    expect(datadogSpanToSpan(span({ '_dd.p.tid': '6b063f2d00000000' })).meta).toEqual({ '_dd.p.tid': '6b063f2d00000000' });
  });
});
