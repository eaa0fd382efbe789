import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorSpanMessageSchema } from '@faultline/contracts';
import { IntakeError } from '@faultline/intake';
import { Registry } from '@faultline/observability';
import { SpanPublishError } from '../publishing/span-publisher';
import { RecordingSpanPublisher } from '../testing/recording-span-publisher';
import { IngestionMetrics } from './ingestion-metrics';
import { TraceIntakeService } from './trace-intake.service';

/** dd-trace 5.132 (Node): 5 traces, 16 spans, 3 failing requests with the error copied on 2 child spans each. */
const ddTracePayload = readFileSync(join(__dirname, '../../../../libs/intake/src/__fixtures__/dd-trace-v04.payload.msgpack'));
/** The same app traced with `DD_TRACE_AGENT_PROTOCOL_VERSION=0.5`: string table plus 12-element span arrays. */
const ddTraceV05Payload = readFileSync(join(__dirname, '../../../../libs/intake/src/__fixtures__/dd-trace-v05.payload.msgpack'));
const request = { contentType: 'application/msgpack', receivedAt: 1795571502000, containerId: 'c0ffee', language: 'nodejs', tracerVersion: '5.132.0' };

describe('TraceIntakeService', () => {
  let publisher: RecordingSpanPublisher;
  let registry: Registry;
  let service: TraceIntakeService;

  beforeEach(() => {
    publisher = new RecordingSpanPublisher();
    registry = new Registry();
    service = new TraceIntakeService(publisher, new IngestionMetrics(registry));
  });

  async function counterValues(name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
    const metric = registry.getSingleMetric(name);
    return metric ? (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value })) : [];
  }

  it('publishes one message per failing request of the captured payload, in one batch', async () => {
    const outcome = await service.ingestDatadogV04(ddTracePayload, request);

    expect(outcome).toEqual({ kept: 3, dropped: { not_error: 7, not_service_entry: 6 } });
    expect(publisher.batches).toHaveLength(1);
    expect(publisher.messages.map((message) => [message.traceId, message.error.type])).toEqual([
      ['777891375745167655', 'TypeError'],
      ['3983546689382542143', 'PaymentDeclinedError'],
      ['6405301015374809313', 'Error'],
    ]);
    for (const message of publisher.messages) {
      expect(errorSpanMessageSchema.parse(message)).toEqual(message);
      expect(message).toMatchObject({ tenant: 'default', receivedAt: 1795571502000, protocol: 'datadog-v0.4', container: 'c0ffee', env: 'test', version: '1.2.3' });
    }
  });

  it('counts kept and dropped spans by reason and protocol', async () => {
    await service.ingestDatadogV04(ddTracePayload, request);

    expect(await counterValues('faultline_ingestion_spans_kept_total')).toContainEqual({ labels: { protocol: 'datadog-v0.4' }, value: 3 });
    const dropped = await counterValues('faultline_ingestion_spans_dropped_total');
    expect(dropped).toContainEqual({ labels: { reason: 'not_error', protocol: 'datadog-v0.4' }, value: 7 });
    expect(dropped).toContainEqual({ labels: { reason: 'not_service_entry', protocol: 'datadog-v0.4' }, value: 6 });
    expect(dropped).toContainEqual({ labels: { reason: 'missing_error_stack', protocol: 'datadog-v0.4' }, value: 0 });
  });

  it('takes v0.5 payloads the same path, labelled with their protocol', async () => {
    const outcome = await service.ingestDatadogV05(ddTraceV05Payload, request);

    expect(outcome).toEqual({ kept: 3, dropped: { not_error: 7, not_service_entry: 6 } });
    expect(publisher.messages.map((message) => [message.traceId, message.error.type, message.protocol])).toEqual([
      ['7707986935426200622', 'TypeError', 'datadog-v0.5'],
      ['322416055529270025', 'PaymentDeclinedError', 'datadog-v0.5'],
      ['326021911948751739', 'Error', 'datadog-v0.5'],
    ]);
    for (const message of publisher.messages) expect(errorSpanMessageSchema.parse(message)).toEqual(message);
    const kept = await counterValues('faultline_ingestion_spans_kept_total');
    expect(kept).toContainEqual({ labels: { protocol: 'datadog-v0.5' }, value: 3 });
    expect(kept).toContainEqual({ labels: { protocol: 'datadog-v0.4' }, value: 0 });
    expect(await counterValues('faultline_ingestion_spans_dropped_total')).toContainEqual({ labels: { reason: 'not_service_entry', protocol: 'datadog-v0.5' }, value: 6 });
  });

  it('keeps an entry span with a remote parent and drops one without a stack', async () => {
    const entry = { trace_id: 42, span_id: 7, parent_id: 99, service: 'api', name: 'express.request', resource: 'GET /', start: 1, duration: 2, error: 1 };
    const body = JSON.stringify([
      [{ ...entry, meta: { 'error.type': 'TypeError', 'error.message': 'x', 'error.stack': 'TypeError: x\n    at f (/app/a.js:1:1)' } }],
      [{ ...entry, trace_id: 43, meta: { 'error.type': 'TypeError', 'error.message': 'x' } }],
    ]);

    const outcome = await service.ingestDatadogV04(Buffer.from(body), { contentType: 'application/json', receivedAt: 1 });

    expect(outcome).toEqual({ kept: 1, dropped: { missing_error_stack: 1 } });
    expect(publisher.messages[0]).toMatchObject({ traceId: '42', spanId: '7', parentId: '99', container: null });
  });

  it('does not count a child whose parent came in an earlier payload of the same service (split trace)', async () => {
    const parent = { trace_id: 42, span_id: 7, parent_id: 0, service: 'api', name: 'express.request', resource: 'GET /', start: 1, duration: 2, error: 0 };
    const child = { ...parent, span_id: 8, parent_id: 7, name: 'router.middleware', error: 1, meta: { 'error.type': 'TypeError', 'error.message': 'x', 'error.stack': 'TypeError: x\n    at f (/app/a.js:1:1)' } };
    const json = { contentType: 'application/json', receivedAt: 1 };

    await service.ingestDatadogV04(Buffer.from(JSON.stringify([[parent]])), json);
    expect(await service.ingestDatadogV04(Buffer.from(JSON.stringify([[child]])), json)).toEqual({ kept: 0, dropped: { not_service_entry: 1 } });
    // Unknown parent (another trace): the child is taken for an entry span.
    expect(await service.ingestDatadogV04(Buffer.from(JSON.stringify([[{ ...child, trace_id: 43 }]])), json)).toEqual({ kept: 1, dropped: {} });
  });

  it('publishes nothing and counts nothing for a payload it rejects', async () => {
    await expect(service.ingestDatadogV04(Buffer.from('[[{"trace_id":"1"}]]'), { contentType: 'application/json', receivedAt: 1 })).rejects.toThrow(IntakeError);

    expect(publisher.batches).toEqual([]);
    expect(await counterValues('faultline_ingestion_spans_kept_total')).toContainEqual({ labels: { protocol: 'datadog-v0.4' }, value: 0 });
  });

  it('lets a publish failure through and does not count the spans as kept', async () => {
    publisher.failWith = new SpanPublishError(new Error('broker down'));

    await expect(service.ingestDatadogV04(ddTracePayload, request)).rejects.toThrow('could not publish error spans: broker down');

    expect(await counterValues('faultline_ingestion_spans_kept_total')).toContainEqual({ labels: { protocol: 'datadog-v0.4' }, value: 0 });
  });
});
