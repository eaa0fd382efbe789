import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { encode } from '@msgpack/msgpack';
import { HealthModule, Registry } from '@faultline/observability';
import { SpanPublisher, SpanPublishError } from '../publishing/span-publisher';
import { RecordingSpanPublisher } from '../testing/recording-span-publisher';
import { TraceIntakeModule } from '../trace-intake/trace-intake.module';

const ddTracePayload = readFileSync(join(__dirname, '../../../../libs/intake/src/__fixtures__/dd-trace-v04.payload.msgpack'));
/** The same kind of app traced with `DD_TRACE_AGENT_PROTOCOL_VERSION=0.5`. */
const ddTraceV05Payload = readFileSync(join(__dirname, '../../../../libs/intake/src/__fixtures__/dd-trace-v05.payload.msgpack'));
const MAX_BODY_BYTES = 64 * 1024;

@Module({})
class RecordingPublishingModule {}

/** The HTTP API as a tracer sees it, on a real listener, with Kafka replaced by a recording publisher. */
describe('DatadogAgentController over HTTP', () => {
  const publisher = new RecordingSpanPublisher();
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const publishing = { module: RecordingPublishingModule, providers: [{ provide: SpanPublisher, useValue: publisher }], exports: [SpanPublisher] };
    app = await NestFactory.create(
      { module: class TestAppModule {}, imports: [HealthModule.forRoot({ metrics: new Registry() }), TraceIntakeModule.forRoot({ maxBodyBytes: MAX_BODY_BYTES, publishing })] },
      { bodyParser: false, logger: false, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    publisher.batches.length = 0;
    publisher.failWith = undefined;
  });

  const sendTraces = (body: Buffer | string, contentType: string, method = 'PUT') =>
    fetch(`${baseUrl}/v0.4/traces`, { method, body, headers: { 'content-type': contentType, 'datadog-meta-lang': 'nodejs', 'datadog-container-id': 'c0ffee' } });

  it('accepts the captured dd-trace msgpack payload and publishes the 3 entry error spans', async () => {
    const response = await sendTraces(ddTracePayload, 'application/msgpack');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ rate_by_service: {} });
    expect(publisher.messages.map((message) => [message.traceId, message.spanId, message.error.type])).toEqual([
      ['777891375745167655', '777891375745167655', 'TypeError'],
      ['3983546689382542143', '3983546689382542143', 'PaymentDeclinedError'],
      ['6405301015374809313', '6405301015374809313', 'Error'],
    ]);
    expect(publisher.messages[0]).toMatchObject({ container: 'c0ffee', service: 'checkout', env: 'test', tags: { language: 'javascript' } });
  });

  it('accepts POST as well', async () => {
    const response = await sendTraces('[]', 'application/json', 'POST');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ rate_by_service: {} });
  });

  it('answers 400 naming the field for a malformed span', async () => {
    const response = await sendTraces('[[{"trace_id":1,"span_id":"2"}]]', 'application/json');

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'traces[0][0].span_id: expected unsigned 64-bit integer' });
    expect(publisher.batches).toEqual([]);
  });

  it('answers 400 for truncated msgpack', async () => {
    const response = await sendTraces(ddTracePayload.subarray(0, 1000), 'application/msgpack');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^body: invalid msgpack/);
  });

  it('answers 415 for an unsupported content type', async () => {
    const response = await sendTraces('traces', 'text/plain');
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toContain('text/plain');
  });

  it('answers 413 with JSON for a body over the limit', async () => {
    const response = await sendTraces(Buffer.alloc(MAX_BODY_BYTES + 1, 0x90), 'application/msgpack');
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: `body exceeds ${MAX_BODY_BYTES} bytes` });
  });

  it('answers 503 with Retry-After when the spans could not be published, so the client can resend', async () => {
    publisher.failWith = new SpanPublishError(new Error('broker down'));

    const response = await sendTraces(ddTracePayload, 'application/msgpack');

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ error: 'could not publish error spans: broker down' });
  });

  it('describes itself on /info like the agent, asking for every trace', async () => {
    const response = await fetch(`${baseUrl}/info`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ endpoints: expect.arrayContaining(['/v0.4/traces', '/v0.5/traces']), client_drop_p0s: false, version: expect.any(String) });
  });

  it('acknowledges the tracer side channels and declines remote configuration', async () => {
    const telemetry = await fetch(`${baseUrl}/telemetry/proxy/api/v2/apmtelemetry`, { method: 'POST', body: '{"request_type":"app-heartbeat"}', headers: { 'content-type': 'application/json' } });
    const dogstatsd = await fetch(`${baseUrl}/dogstatsd/v2/proxy`, { method: 'POST', body: 'page.views:1|c' });
    const remoteConfig = await fetch(`${baseUrl}/v0.7/config`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

    expect([telemetry.status, dogstatsd.status, remoteConfig.status]).toEqual([202, 202, 404]);
  });

  it('serves the span counters on /metrics', async () => {
    await sendTraces(ddTracePayload, 'application/msgpack');
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/faultline_ingestion_spans_kept_total\{protocol="datadog-v0.4"\} [1-9]/);
    expect(metrics).toContain('faultline_ingestion_spans_dropped_total{reason="not_service_entry",protocol="datadog-v0.4"}');
  });

  describe('/v0.5/traces', () => {
    const sendV05 = (body: Buffer | string, contentType = 'application/msgpack', method = 'PUT') =>
      fetch(`${baseUrl}/v0.5/traces`, { method, body, headers: { 'content-type': contentType, 'datadog-meta-lang': 'nodejs', 'datadog-container-id': 'c0ffee' } });

    it('accepts the captured dd-trace v0.5 payload and publishes the 3 entry error spans', async () => {
      const response = await sendV05(ddTraceV05Payload);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ rate_by_service: {} });
      expect(publisher.messages.map((message) => [message.traceId, message.spanId, message.error.type, message.protocol])).toEqual([
        ['7707986935426200622', '7707986935426200622', 'TypeError', 'datadog-v0.5'],
        ['322416055529270025', '322416055529270025', 'PaymentDeclinedError', 'datadog-v0.5'],
        ['326021911948751739', '326021911948751739', 'Error', 'datadog-v0.5'],
      ]);
      expect(publisher.messages[0]).toMatchObject({ container: 'c0ffee', service: 'checkout', env: 'test', version: '1.2.3' });
      const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/faultline_ingestion_spans_kept_total\{protocol="datadog-v0.5"\} [1-9]/);
    });

    it('accepts POST as well', async () => {
      const response = await sendV05(Buffer.from(encode([[''], []])), 'application/msgpack', 'POST');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ rate_by_service: {} });
    });

    it('answers 400 naming the span and field for a string index out of range, publishing nothing', async () => {
      // A valid trace first: the whole request is rejected, not just the trace after it.
      const entry = [1, 1, 1, 42, 42, 0, 1795571507649001984n, 1000, 1, {}, {}, 0];
      const body = Buffer.from(encode([['', 'checkout'], [[entry], [[...entry.slice(0, 11), 9]]]], { useBigInt64: true }));

      const response = await sendV05(body);

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'traces[1][0][11]: type index 9 out of range (string table has 2 entries)' });
      expect(publisher.batches).toEqual([]);
    });

    it('answers 415 for JSON, which v0.5 does not define', async () => {
      const response = await sendV05('[[""],[]]', 'application/json');
      expect(response.status).toBe(415);
    });
  });
});
