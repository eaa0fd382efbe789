import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectErrorSpans } from '@faultline/domain';
import { decodeDatadogV04 } from './decode-datadog-v04';
import { datadogSpanToSpan, UNNAMED_SERVICE } from './datadog-span.mapper';
import type { DatadogSpan } from './datadog-span';

const ddTracePayload = readFileSync(join(__dirname, '..', '__fixtures__', 'dd-trace-v04.payload.msgpack'));

describe('datadogSpanToSpan', () => {
  const traces = decodeDatadogV04(ddTracePayload, 'application/msgpack').map((trace) => trace.map(datadogSpanToSpan));

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

  it('names a span without a service as the agent does', () => {
    const span: DatadogSpan = { trace_id: 1n, span_id: 2n, parent_id: 0n, service: '', name: 'n', resource: 'r', start: 1n, duration: 1n, error: 0, meta: {}, metrics: {}, type: '' };
    expect(datadogSpanToSpan(span).service).toBe(UNNAMED_SERVICE);
  });
});
