import type { CorpusCase } from '@faultline/domain/corpus';

/** A Datadog v0.4 span as the JSON intake takes it (the fields the specs set). */
export interface DatadogSpan {
  trace_id: number;
  span_id: number;
  parent_id: number;
  service: string;
  name: string;
  resource: string;
  start: number;
  duration: number;
  error: number;
  type: string;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

/**
 * One service-entry error span for a corpus case, as a Datadog tracer would report it (v0.4 JSON).
 * `spanId` doubles as trace id and must stay below 2^53 so the JSON body needs no big-number encoding.
 */
export function corpusSpan(testCase: CorpusCase, service: string, spanId: number, startNs: bigint): DatadogSpan {
  return {
    trace_id: spanId,
    span_id: spanId,
    parent_id: 0,
    service,
    name: 'web.request',
    resource: `GET /${testCase.group}`,
    start: Number(startNs / 1_000_000n) * 1_000_000,
    duration: 1_000_000,
    error: 1,
    type: 'web',
    meta: { 'error.type': testCase.errorType, 'error.message': testCase.message, 'error.stack': testCase.stack, env: 'corpus', version: testCase.variant },
    metrics: { '_dd.top_level': 1 },
  };
}

/** PUT /v0.4/traces with one trace per span; answers the HTTP status. */
export async function putDatadogTraces(ingestionUrl: string, traces: DatadogSpan[][]): Promise<number> {
  const response = await fetch(`${ingestionUrl}/v0.4/traces`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(traces) });
  await response.arrayBuffer();
  return response.status;
}
