import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { encode } from '@msgpack/msgpack';
import { HealthModule, Registry } from '@faultline/observability';
import { SpanPublisher } from '../publishing/span-publisher';
import { RecordingSpanPublisher } from '../testing/recording-span-publisher';
import { TraceIntakeModule } from '../trace-intake/trace-intake.module';

const fixtures = join(__dirname, '../../../../libs/intake/src/__fixtures__');
const ddTracePayload = readFileSync(join(fixtures, 'dd-trace-v04.payload.msgpack'));
const otlpProtoPayload = readFileSync(join(fixtures, 'otlp', 'sdk-node-express.otlp-proto.bin'));
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;
const MAX_SPANS = 10_000;

@Module({})
class RecordingPublishingModule {}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes of the request body written before the answer came (or the socket closed). */
  written: number;
}

/**
 * Hostile requests over a real listener: the answer, and what reached the publisher (nothing, for a
 * rejected request). The recording publisher stands for Kafka: what it holds is what would be published.
 */
describe('ingestion under hostile and malformed input, over HTTP', () => {
  const publisher = new RecordingSpanPublisher();
  let app: INestApplication;
  let port: number;

  beforeAll(async () => {
    const publishing = { module: RecordingPublishingModule, providers: [{ provide: SpanPublisher, useValue: publisher }], exports: [SpanPublisher] };
    app = await NestFactory.create(
      {
        module: class TestAppModule {},
        imports: [
          HealthModule.forRoot({ metrics: new Registry() }),
          TraceIntakeModule.forRoot({ maxBodyBytes: MAX_BODY_BYTES, maxDecompressedBytes: MAX_DECOMPRESSED_BYTES, intakeLimits: { maxSpansPerPayload: MAX_SPANS }, publishing }),
        ],
      },
      { bodyParser: false, logger: false, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    publisher.batches.length = 0;
  });

  const post = (path: string, body: Buffer, headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: 'PUT', body, headers }).then(async (response) => ({ status: response.status, body: await response.text() }));

  /** Streams `totalBytes` of `fill` in 64 KiB chunks (chunked unless `contentLength`), stopping when the answer comes. */
  function stream(path: string, totalBytes: number, headers: Record<string, string>): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      let written = 0;
      let answered = false;
      const chunk = Buffer.alloc(64 * 1024, 0x90);
      const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (response) => {
        answered = true;
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => (body += text));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, written }));
      });
      // The server closes the connection after its 413: writes after that fail, as they would for a real client.
      request.on('error', (error) => (answered ? undefined : reject(error)));
      const writeMore = () => {
        while (!answered && written < totalBytes) {
          written += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', writeMore);
        }
        if (!answered) request.end();
      };
      writeMore();
    });
  }

  it('answers a 100 MB chunked body with 413 as soon as it passes the limit, and closes the connection', async () => {
    const response = await stream('/v0.4/traces', 100 * 1024 * 1024, { 'content-type': 'application/msgpack', 'transfer-encoding': 'chunked' });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: `body exceeds ${MAX_BODY_BYTES} bytes` });
    expect(response.headers['connection']).toBe('close');
    // Cut off long before the 100 MB: only what was in flight when the answer went out.
    expect(response.written).toBeLessThan(20 * 1024 * 1024);
    expect(publisher.batches).toEqual([]);
  });

  it('answers a declared 100 MB Content-Length with 413 before reading the body, on both protocols', async () => {
    const headers = { 'content-type': 'application/x-protobuf', 'content-length': String(100 * 1024 * 1024) };
    const otlp = await stream('/v1/traces', 100 * 1024 * 1024, headers);
    expect(otlp.status).toBe(413);
    expect(otlp.written).toBeLessThan(20 * 1024 * 1024);
    const datadog = await stream('/v0.4/traces', 100 * 1024 * 1024, { ...headers, 'content-type': 'application/msgpack' });
    expect(datadog.status).toBe(413);
    expect(JSON.parse(datadog.body)).toEqual({ error: `body exceeds ${MAX_BODY_BYTES} bytes` });
  });

  it('answers a gzip bomb with 413 at the decompressed limit, for Datadog as for OTLP', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    const datadog = await post('/v0.4/traces', bomb, { 'content-type': 'application/msgpack', 'content-encoding': 'gzip' });
    expect(datadog).toEqual({ status: 413, body: JSON.stringify({ error: `body exceeds ${MAX_DECOMPRESSED_BYTES} bytes once decompressed (gzip)` }) });
    const otlp = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(otlp.status).toBe(413);
    expect(await otlp.json()).toEqual({ code: 3, message: `body exceeds ${MAX_DECOMPRESSED_BYTES} bytes once decompressed (gzip)` });
    // A gzipped payload within the limits is taken.
    expect((await post('/v0.4/traces', gzipSync(ddTracePayload), { 'content-type': 'application/msgpack', 'content-encoding': 'gzip' })).status).toBe(200);
  });

  it.each([
    ['truncated msgpack', ddTracePayload.subarray(0, 1000), 400, /^body: invalid msgpack/],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)), 400, /^(body|traces)/],
    ['a msgpack length bomb', Buffer.from([0xdb, 0xff, 0xff, 0xff, 0xf0, 0x61]), 400, /^body: invalid msgpack: Insufficient data/],
    ['msgpack nested 100,000 deep', Buffer.alloc(100_000, 0x91), 400, /^body: msgpack nested deeper than 64 levels/],
    ['20,000 spans in one trace', Buffer.from(encode([Array.from({ length: 20_000 }, () => ({}))])), 413, /^body: 20000 spans, more than the 10000 spans a request may carry$/],
  ])('answers %s with a JSON error naming the problem and publishes nothing', async (_case, body, status, message) => {
    const response = await post('/v0.4/traces', body, { 'content-type': 'application/msgpack' });
    expect(response.status).toBe(status);
    expect((JSON.parse(response.body) as { error: string }).error).toMatch(message);
    expect(publisher.batches).toEqual([]);
  });

  it('answers deeply nested JSON with a 400 naming the depth', async () => {
    const response = await post('/v0.4/traces', Buffer.from('['.repeat(1_000_000)), { 'content-type': 'application/json' });
    expect(response).toEqual({ status: 400, body: JSON.stringify({ error: 'body: JSON nested deeper than 64 levels (at byte 64)' }) });
  });

  it('accepts 10,000 spans in one trace (the limit here) in bounded time and publishes its error span', async () => {
    const spans = Array.from({ length: MAX_SPANS }, (_, index) => ({
      trace_id: 99n, span_id: BigInt(index + 1), parent_id: index === 0 ? 0n : 1n, service: 'shop', name: 'express.request', resource: 'GET /', start: 1n, duration: 1n,
      error: index === 0 ? 1 : 0, meta: index === 0 ? { 'error.type': 'TypeError', 'error.message': 'x', 'error.stack': 'TypeError: x\n    at f (/app/a.js:1:1)' } : {}, metrics: index === 0 ? { '_dd.top_level': 1 } : {},
    }));
    const started = Date.now();
    const response = await post('/v0.4/traces', Buffer.from(encode([spans], { useBigInt64: true })), { 'content-type': 'application/msgpack' });
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(publisher.messages.map((message) => message.spanId)).toEqual(['1']);
  });

  it('stores a 1 MB error message and stack truncated and marked, instead of refusing the error', async () => {
    const stack = `TypeError: boom\n${'    at handler (/app/src/routes/checkout.js:42:13)\n'.repeat(10_000)}`;
    const span = { trace_id: 5, span_id: 5, parent_id: 0, service: 'shop', name: 'express.request', resource: 'GET /', start: 1, duration: 1, error: 1, meta: { 'error.type': 'TypeError', 'error.message': 'm'.repeat(400_000), 'error.stack': stack } };
    const response = await post('/v0.4/traces', Buffer.from(encode([[span]])), { 'content-type': 'application/msgpack' });
    expect(response.status).toBe(200);
    const [message] = publisher.messages;
    expect(message.error.message).toHaveLength(8 * 1024);
    expect(message.error.stack).toHaveLength(64 * 1024);
    expect(message.error.stack.startsWith('TypeError: boom\n    at handler (/app/src/routes/checkout.js:42:13)')).toBe(true);
    expect(message.tags['faultline.truncated']).toBe('error.message,error.stack');
  });

  it('publishes a good request intact while hostile ones run next to it', async () => {
    const hostile = [
      stream('/v0.4/traces', 20 * 1024 * 1024, { 'content-type': 'application/msgpack', 'transfer-encoding': 'chunked' }),
      post('/v0.4/traces', gzipSync(Buffer.alloc(32 * 1024 * 1024)), { 'content-type': 'application/msgpack', 'content-encoding': 'gzip' }),
      post('/v0.4/traces', Buffer.alloc(500_000, 0x91), { 'content-type': 'application/msgpack' }),
      post('/v0.4/traces', ddTracePayload.subarray(0, 2000), { 'content-type': 'application/msgpack' }),
      post('/v0.4/traces', Buffer.from('['.repeat(500_000)), { 'content-type': 'application/json' }),
    ];
    const good = post('/v0.4/traces', ddTracePayload, { 'content-type': 'application/msgpack' });
    const otlpGood = fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: otlpProtoPayload, headers: { 'content-type': 'application/x-protobuf' } });
    const statuses = (await Promise.all(hostile)).map((response) => response.status);
    expect(statuses).toEqual([413, 413, 400, 400, 400]);
    expect((await good).status).toBe(200);
    expect((await otlpGood).status).toBe(200);
    // Exactly the good requests' error spans: the 3 of the dd-trace payload, unchanged, and the OTLP one's.
    const datadog = publisher.messages.filter((message) => message.protocol === 'datadog-v0.4');
    expect(datadog.map((message) => [message.traceId, message.error.type])).toEqual([
      ['777891375745167655', 'TypeError'],
      ['3983546689382542143', 'PaymentDeclinedError'],
      ['6405301015374809313', 'Error'],
    ]);
    expect(datadog.every((message) => message.tags['faultline.truncated'] === undefined)).toBe(true);
    expect(publisher.messages.filter((message) => message.protocol === 'otlp').length).toBeGreaterThan(0);
    expect(publisher.messages.every((message) => message.protocol === 'datadog-v0.4' || message.protocol === 'otlp')).toBe(true);
  });
});
