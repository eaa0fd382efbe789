import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ErrorSpanMessage } from '@faultline/contracts';
import { HealthModule, Registry } from '@faultline/observability';
import { otlpTraceTypes } from '@faultline/intake';
import * as protobuf from 'protobufjs';
import { SpanPublisher, SpanPublishError } from '../publishing/span-publisher';
import { RecordingSpanPublisher } from '../testing/recording-span-publisher';
import { TraceIntakeModule } from '../trace-intake/trace-intake.module';
import { OTLP_LISTEN_OPTIONS, OtlpListener } from './otlp-listener';

const fixtures = join(__dirname, '../../../../libs/intake/src/__fixtures__/otlp');
/** OpenTelemetry Node SDK 0.223: 4 requests to `checkout`, 3 failing, as exporter-trace-otlp-http and -proto sent them. */
const sdkJsonPayload = readFileSync(join(fixtures, 'otlp-json.json'));
const sdkProtoPayload = readFileSync(join(fixtures, 'otlp-proto.bin'));
const MAX_BODY_BYTES = 256 * 1024;
const MAX_CONCURRENT_REQUESTS = 2;

/** google.rpc.Status, declared independently of the code under test. */
const statusType = protobuf.Root.fromJSON({ nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } } }).lookupType('Status');

/** Holds publish calls until released, to keep requests in flight. */
class GatedSpanPublisher extends RecordingSpanPublisher {
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release?.();
    this.gate = undefined;
  }
  override async publish(messages: ErrorSpanMessage[]): Promise<void> {
    await this.gate;
    return super.publish(messages);
  }
}

@Module({})
class RecordingPublishingModule {}

/** OTLP/HTTP as an OTel exporter sees it, on real listeners, with Kafka replaced by a recording publisher. */
describe('OTLP/HTTP intake', () => {
  const publisher = new GatedSpanPublisher();
  const registry = new Registry();
  let app: INestApplication;
  let otlpUrl: string;
  let datadogPortUrl: string;

  beforeAll(async () => {
    const publishing = { module: RecordingPublishingModule, providers: [{ provide: SpanPublisher, useValue: publisher }], exports: [SpanPublisher] };
    app = await NestFactory.create(
      {
        module: class TestAppModule {},
        imports: [
          HealthModule.forRoot({ metrics: registry }),
          TraceIntakeModule.forRoot({ maxBodyBytes: MAX_BODY_BYTES, publishing, otlpMaxConcurrentRequests: MAX_CONCURRENT_REQUESTS }),
        ],
        providers: [{ provide: OTLP_LISTEN_OPTIONS, useValue: { port: 0, host: '127.0.0.1' } }, OtlpListener],
      },
      { bodyParser: false, logger: false, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    otlpUrl = `http://127.0.0.1:${app.get(OtlpListener).port}`;
    datadogPortUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    publisher.batches.length = 0;
    publisher.failWith = undefined;
    publisher.open();
  });

  const post = (path: string, body: Buffer | string, headers: Record<string, string>) => fetch(`${otlpUrl}${path}`, { method: 'POST', body, headers });
  const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());
  const statusOf = async (response: Response) => statusType.toObject(statusType.decode(await bytesOf(response)));
  const invalidSpansCounted = async () =>
    (await registry.getSingleMetric('faultline_ingestion_spans_dropped_total')?.get())?.values.find(({ labels }) => labels['reason'] === 'invalid' && labels['protocol'] === 'otlp')?.value ?? 0;

  it('accepts the captured JSON export and publishes the 3 failing requests', async () => {
    const response = await post('/v1/traces', sdkJsonPayload, { 'content-type': 'application/json' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({});
    expect(publisher.messages.map((message) => [message.name, message.error.type])).toEqual([
      ['GET /type-error', 'TypeError'],
      ['GET /payment/:orderId', 'PaymentDeclinedError'],
      ['GET /async-reject', 'Error'],
    ]);
    expect(publisher.messages[0]).toMatchObject({
      protocol: 'otlp',
      service: 'checkout',
      env: 'test',
      version: '1.2.3',
      host: 'vm',
      traceId: BigInt('0xb4392ea27e38af1ca3366ad20a6fbdae').toString(),
      spanId: BigInt('0xa143d66f442cf414').toString(),
      parentId: '0',
      tags: { 'http.route': '/type-error', 'span.kind': 'server' },
    });
  });

  it('accepts the captured protobuf export, plain and gzipped, answering an empty ExportTraceServiceResponse', async () => {
    for (const [body, headers] of [
      [sdkProtoPayload, { 'content-type': 'application/x-protobuf' }],
      [gzipSync(sdkProtoPayload), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }],
    ] as const) {
      publisher.batches.length = 0;
      const response = await post('/v1/traces', body, headers);

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-protobuf');
      expect(await bytesOf(response)).toHaveLength(0);
      expect(publisher.messages.map((message) => message.error.type)).toEqual(['TypeError', 'PaymentDeclinedError', 'Error']);
    }
  });

  it('accepts the gzipped body exporter-trace-otlp-proto sent with compression: gzip', async () => {
    const capturedGzip = readFileSync(join(fixtures, 'sdk-node-express.otlp-proto.bin.gz'));
    const response = await post('/v1/traces', capturedGzip, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });

    expect(response.status).toBe(200);
    expect(publisher.messages.map((message) => message.error.type)).toEqual(['TypeError', 'PaymentDeclinedError', 'RangeError', 'PaymentDeclinedError']);
  });

  it('reads a chunked body without Content-Length, as the JS exporters send it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      for (let offset = 0; offset < sdkJsonPayload.length; offset += 4096) request.write(sdkJsonPayload.subarray(offset, offset + 4096));
      request.end();
    });

    expect(status).toBe(200);
    expect(publisher.messages).toHaveLength(3);
  });

  it('serves the same API on the Datadog port (one express app)', async () => {
    const response = await fetch(`${datadogPortUrl}/v1/traces`, { method: 'POST', body: sdkProtoPayload, headers: { 'content-type': 'application/x-protobuf' } });
    expect(response.status).toBe(200);
  });

  it('answers 400 with a google.rpc.Status naming the problem for truncated protobuf, and publishes nothing', async () => {
    const response = await post('/v1/traces', sdkProtoPayload.subarray(0, sdkProtoPayload.length - 100), { 'content-type': 'application/x-protobuf' });

    expect(response.status).toBe(400);
    const status = await statusOf(response);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^body: invalid protobuf ExportTraceServiceRequest/);
    expect(publisher.batches).toEqual([]);
  });

  it('rejects only the span with a bad id of a protobuf export: 200 with partial_success, the other error spans published', async () => {
    const { request, response: responseType } = otlpTraceTypes();
    const message = request.toObject(request.decode(sdkProtoPayload)) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; spanId: Buffer }> }> }> };
    const okSpan = message.resourceSpans[0].scopeSpans[0].spans[0];
    expect(okSpan.name).toBe('GET /ok');
    okSpan.spanId = Buffer.alloc(4, 1);
    const invalidBefore = await invalidSpansCounted();

    const response = await post('/v1/traces', Buffer.from(request.encode(request.fromObject(message)).finish()), { 'content-type': 'application/x-protobuf' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-protobuf');
    expect(responseType.toObject(responseType.decode(await bytesOf(response)), { longs: Number })).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: '1 span rejected: resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 8 bytes' },
    });
    expect(publisher.messages.map((published) => published.error.type)).toEqual(['TypeError', 'PaymentDeclinedError', 'Error']);
    expect((await invalidSpansCounted()) - invalidBefore).toBe(1);
  });

  it('rejects only the span with a bad id of a JSON export, answering partialSuccess in JSON', async () => {
    // The SERVER span of GET /type-error: its error goes with it, the other two are published.
    const body = sdkJsonPayload.toString().replace('"a143d66f442cf414"', '"a143d66f442cf41"');
    const invalidBefore = await invalidSpansCounted();

    const response = await post('/v1/traces', body, { 'content-type': 'application/json' });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: '1 span rejected: resourceSpans[0].scopeSpans[0].spans[1].spanId: expected 16 hex characters' },
    });
    expect(publisher.messages.map((published) => [published.name, published.error.type])).toEqual([
      ['GET /payment/:orderId', 'PaymentDeclinedError'],
      ['GET /async-reject', 'Error'],
    ]);
    expect((await invalidSpansCounted()) - invalidBefore).toBe(1);
  });

  it('answers 400 and publishes nothing when every span of the export is rejected', async () => {
    const body = sdkJsonPayload.toString().replace(/"traceId":"[0-9a-f]{32}"/g, `"traceId":"${'0'.repeat(32)}"`);
    const invalidBefore = await invalidSpansCounted();

    const response = await post('/v1/traces', body, { 'content-type': 'application/json' });

    expect(response.status).toBe(400);
    const { code, message } = (await response.json()) as { code: number; message: string };
    expect(code).toBe(3);
    expect(message).toBe(
      '19 spans rejected: resourceSpans[0].scopeSpans[0].spans[0].traceId: must not be all zeros; resourceSpans[0].scopeSpans[0].spans[1].traceId: must not be all zeros; ' +
        'resourceSpans[0].scopeSpans[0].spans[2].traceId: must not be all zeros; and 16 more',
    );
    expect(publisher.batches).toEqual([]);
    // A request rejected as a whole counts no spans, like any other 400.
    expect(await invalidSpansCounted()).toBe(invalidBefore);
  });

  it('answers 415 for a content type or content encoding OTLP/HTTP does not define', async () => {
    expect((await post('/v1/traces', sdkJsonPayload, { 'content-type': 'text/plain' })).status).toBe(415);
    const brotli = await post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect((await statusOf(brotli)).message).toBe('unsupported content encoding "br": expected gzip or none');
  });

  it('answers 400 for a body that is not gzip although it says so', async () => {
    const response = await post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(response.status).toBe(400);
    expect((await statusOf(response)).message).toMatch(/^body: invalid gzip: /);
  });

  it('answers 413 for a body above the limit, on the wire or once decompressed', async () => {
    const tooLarge = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    expect((await post('/v1/traces', tooLarge, { 'content-type': 'application/json' })).status).toBe(413);
    // A few hundred bytes of gzip that inflate beyond the limit.
    const bomb = gzipSync(tooLarge);
    expect(bomb.length).toBeLessThan(1024);
    const response = await post('/v1/traces', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 3, message: `body exceeds ${MAX_BODY_BYTES} bytes once decompressed (gzip)` });
  });

  it('answers 503 with Retry-After when Kafka does not take the spans', async () => {
    publisher.failWith = new SpanPublishError(new Error('broker down'));
    const response = await post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf' });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await statusOf(response)).toEqual({ code: 14, message: 'could not publish error spans: broker down' });
  });

  it('answers 429 with Retry-After beyond the requests it handles at once', async () => {
    publisher.close();
    const held = Array.from({ length: MAX_CONCURRENT_REQUESTS }, () => post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf' }));
    // Let the held requests reach the publisher.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const rejected = await post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf' });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('retry-after')).toBe('1');

    publisher.open();
    expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200]);
    expect((await post('/v1/traces', sdkProtoPayload, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  it('accepts and drops metrics and logs exports', async () => {
    for (const path of ['/v1/metrics', '/v1/logs']) {
      const proto = await post(path, Buffer.from([0x0a, 0x00]), { 'content-type': 'application/x-protobuf' });
      expect([proto.status, proto.headers.get('content-type'), (await bytesOf(proto)).length]).toEqual([200, 'application/x-protobuf', 0]);
      const json = await post(path, '{"resourceMetrics":[]}', { 'content-type': 'application/json' });
      expect([json.status, await json.json()]).toEqual([200, {}]);
    }
    expect(publisher.batches).toEqual([]);
  });

  it('gives a SERVER span exported after its children the exception the children carried', async () => {
    const request = JSON.parse(sdkJsonPayload.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ kind: number }> }> }> };
    const withSpans = (keep: (span: { kind: number }) => boolean) =>
      JSON.stringify({ resourceSpans: request.resourceSpans.map((resourceSpans) => ({ ...resourceSpans, scopeSpans: resourceSpans.scopeSpans.map((scope) => ({ ...scope, spans: scope.spans.filter(keep) })) })) });

    const children = await post('/v1/traces', withSpans((span) => span.kind !== 2), { 'content-type': 'application/json' });
    expect([children.status, publisher.messages.length]).toEqual([200, 0]);
    const servers = await post('/v1/traces', withSpans((span) => span.kind === 2), { 'content-type': 'application/json' });
    expect(servers.status).toBe(200);
    expect(publisher.messages.map((message) => [message.name, message.error.type])).toEqual([
      ['GET /type-error', 'TypeError'],
      ['GET /payment/:orderId', 'PaymentDeclinedError'],
      ['GET /async-reject', 'Error'],
    ]);
  });
});
