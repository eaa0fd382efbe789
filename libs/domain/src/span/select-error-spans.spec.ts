import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectErrorSpans, selectErrorSpansWithHistory } from './select-error-spans';
import type { Span } from './span';

/** One failing request captured from dd-trace 5.132 (u64 values as decimal strings); owned by libs/intake. */
const capturedTrace = (
  JSON.parse(readFileSync(join(__dirname, '../../../intake/src/__fixtures__/dd-trace-v04.json'), 'utf8')) as Array<
    Array<{ trace_id: string; span_id: string; parent_id: string; start: string; duration: number; error: number; service: string; name: string; resource: string; meta: Record<string, string>; metrics: Record<string, number> }>
  >
)[0].map(
  (wire): Span => ({
    traceId: wire.trace_id,
    spanId: wire.span_id,
    parentId: wire.parent_id,
    service: wire.service,
    name: wire.name,
    resource: wire.resource,
    startNs: wire.start,
    durationNs: wire.duration,
    error: wire.error === 1,
    meta: wire.meta,
    metrics: wire.metrics,
  }),
);

const errorTags = { 'error.type': 'TypeError', 'error.message': 'boom', 'error.stack': 'TypeError: boom\n    at handler (/app/routes.js:10:5)' };

function span(overrides: Partial<Span>): Span {
  return {
    traceId: '100',
    spanId: '1',
    parentId: '0',
    service: 'checkout',
    name: 'express.request',
    resource: 'GET /',
    startNs: '1795571501272004352',
    durationNs: 1000,
    error: true,
    meta: { ...errorTags },
    metrics: {},
    ...overrides,
  };
}

describe('selectErrorSpans', () => {
  it('keeps only the entry span of a captured failing request, not the child spans dd-trace copied the error onto', () => {
    const { kept, dropped } = selectErrorSpans(capturedTrace);

    expect(kept.map((kept) => kept.spanId)).toEqual(['3983546689382542143']);
    expect(kept[0].name).toBe('express.request');
    expect(dropped).toEqual({ not_service_entry: 2, not_error: 1 });
  });

  it('keeps an entry span whose parent is in another process (incoming traceparent, no _dd.top_level)', () => {
    const entry = span({ spanId: '11', parentId: '987654321987654321' });
    const child = span({ spanId: '12', parentId: '11', name: 'router.middleware' });

    const { kept, dropped } = selectErrorSpans([entry, child]);

    expect(kept).toEqual([entry]);
    expect(dropped).toEqual({ not_service_entry: 1 });
  });

  it('does not keep a span whose parent, flushed in an earlier payload, is known to be of the same service', () => {
    const child = span({ spanId: '12', parentId: '11', name: 'router.middleware' });
    const knownServiceOf = (traceId: string, spanId: string) => (traceId === child.traceId && spanId === '11' ? 'checkout' : undefined);

    expect(selectErrorSpansWithHistory([child], knownServiceOf)).toEqual({ kept: [], dropped: { not_service_entry: 1 } });
    expect(selectErrorSpansWithHistory([child], () => 'gateway').kept).toEqual([child]);
  });

  it('keeps a span whose parent in the payload belongs to another service', () => {
    const gateway = span({ spanId: '1', service: 'gateway', error: false, meta: {} });
    const checkout = span({ spanId: '2', parentId: '1', service: 'checkout' });

    expect(selectErrorSpans([gateway, checkout])).toEqual({ kept: [checkout], dropped: { not_error: 1 } });
  });

  it('trusts _dd.top_level = 1 from the tracer', () => {
    const parent = span({ spanId: '1', error: false });
    const topLevel = span({ spanId: '2', parentId: '1', metrics: { '_dd.top_level': 1 } });

    expect(selectErrorSpans([parent, topLevel]).kept).toEqual([topLevel]);
  });

  it.each([
    ['missing_error_type', 'error.type'],
    ['missing_error_message', 'error.message'],
    ['missing_error_stack', 'error.stack'],
  ] as const)('drops an entry span as %s when %s is missing or empty', (reason, tag) => {
    const { [tag]: _removed, ...withoutTag } = errorTags;
    const missing = span({ spanId: '1', meta: withoutTag });
    const empty = span({ spanId: '2', meta: { ...errorTags, [tag]: '' } });

    expect(selectErrorSpans([missing, empty])).toEqual({ kept: [], dropped: { [reason]: 2 } });
  });

  it('counts spans without the error flag as not_error even when they carry error tags', () => {
    expect(selectErrorSpans([span({ error: false })])).toEqual({ kept: [], dropped: { not_error: 1 } });
  });

  it('returns nothing for an empty trace', () => {
    expect(selectErrorSpans([])).toEqual({ kept: [], dropped: {} });
  });
});
