import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type INestApplication, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ErrorSpanMessage } from '@faultline/contracts';
import { HealthModule, HealthRegistry, Registry } from '@faultline/observability';
import { OTLP_LISTEN_OPTIONS, OtlpListener } from '../otlp/otlp-listener';
import { SpanPublisher } from '../publishing/span-publisher';
import { TraceIntakeModule } from '../trace-intake/trace-intake.module';

const fixtures = join(__dirname, '../../../../libs/intake/src/__fixtures__');
const ddTracePayload = readFileSync(join(fixtures, 'dd-trace-v04.payload.msgpack'));

/** Holds every publish until `release()`, as a slow Kafka would; records when the shutdown hook ran. */
class GatedPublisher extends SpanPublisher implements OnApplicationShutdown {
  readonly published: ErrorSpanMessage[][] = [];
  readonly events: string[] = [];
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  waiting = 0;

  async publish(messages: ErrorSpanMessage[]): Promise<void> {
    if (messages.length === 0) return;
    this.waiting++;
    await this.gate;
    this.published.push(messages);
    this.events.push('published');
  }

  release(): void {
    this.opened();
  }

  onApplicationShutdown(): void {
    this.events.push('producer closed');
  }
}

@Module({})
class GatedPublishingModule {}

/** Writes `head` now and answers a function that sends the rest and resolves with the raw response. */
function startRequest(port: number, head: string): { socket: Socket; finish: (rest: Buffer) => Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(head);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.on('error', () => undefined);
  return {
    socket,
    finish: (rest) => {
      socket.write(rest);
      return ended;
    },
  };
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const datadogHead = (length: number) =>
  `PUT /v0.4/traces HTTP/1.1\r\nHost: ingestion\r\nContent-Type: application/msgpack\r\nContent-Length: ${length}\r\n`;

describe('ingestion on shutdown (IntakeDrain)', () => {
  it('stops accepting on both ports at once, refuses requests on open connections, and finishes the ones in flight before the producer closes', async () => {
    const publisher = new GatedPublisher();
    const publishing = { module: GatedPublishingModule, providers: [{ provide: SpanPublisher, useValue: publisher }], exports: [SpanPublisher] };
    const app: INestApplication = await NestFactory.create(
      {
        module: class DrainTestAppModule {},
        imports: [HealthModule.forRoot({ metrics: new Registry() }), TraceIntakeModule.forRoot({ maxBodyBytes: 4 * 1024 * 1024, publishing })],
        providers: [{ provide: OTLP_LISTEN_OPTIONS, useValue: { port: 0, host: '127.0.0.1' } }, OtlpListener],
      },
      { bodyParser: false, logger: false, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    const datadogPort = (app.getHttpServer().address() as AddressInfo).port;
    const otlpPort = app.get(OtlpListener).port as number;
    const health = app.get(HealthRegistry);
    expect((await health.checkReadiness()).checks.intake).toEqual({ ok: true });

    // In flight: a whole request whose spans wait on the publisher. Opened before but silent so far: a
    // connection to the OTLP port (Node keeps such connections open when a server closes).
    const body = Buffer.concat([Buffer.from('\r\n'), ddTracePayload]);
    const busy = startRequest(datadogPort, datadogHead(ddTracePayload.length));
    const answered = busy.finish(body);
    const silent = startRequest(otlpPort, '');
    // Kept alive after a first answer: a client's pooled connection, idle when the shutdown starts.
    const emptyTraces = (connection: string) =>
      `PUT /v0.4/traces HTTP/1.1\r\nHost: ingestion\r\nContent-Type: application/json\r\nConnection: ${connection}\r\nContent-Length: 2\r\n\r\n[]`;
    const keptAlive = startRequest(datadogPort, emptyTraces('keep-alive'));
    let keptAliveReceived = '';
    keptAlive.socket.on('data', (chunk) => (keptAliveReceived += chunk.toString('latin1')));
    await until(() => keptAliveReceived.includes('rate_by_service'), 'the first answer on the kept-alive connection');
    await until(() => publisher.waiting === 1, 'the first request to reach the publisher');

    const closed = app.close();
    await until(async () => (await connectionRefused(datadogPort)) && (await connectionRefused(otlpPort)), 'both ports to refuse connections');
    expect((await health.checkReadiness()).checks.intake).toEqual({ ok: false, detail: 'shutting down: not taking new requests' });

    // The idle kept-alive connection was not dropped: its next request gets a definite answer to retry.
    const [firstAnswer, secondAnswer] = (await keptAlive.finish(Buffer.from(emptyTraces('keep-alive')))).split(/(?=HTTP\/1\.1 )/);
    expect(firstAnswer).toMatch(/^HTTP\/1\.1 200 /);
    expect(secondAnswer).toMatch(/^HTTP\/1\.1 503 /);
    expect(secondAnswer).toMatch(/\r\nConnection: close\r\n/i);
    expect(secondAnswer).toContain('{"error":"ingestion is shutting down; retry"}');

    // A request on the connection opened before: refused in OTLP's encoding, told to retry, connection closed.
    const otlpJson = '{"resourceSpans":[]}';
    const refused = await silent.finish(
      Buffer.from(`POST /v1/traces HTTP/1.1\r\nHost: ingestion\r\nContent-Type: application/json\r\nContent-Length: ${otlpJson.length}\r\n\r\n${otlpJson}`),
    );
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(refused).toMatch(/\r\nConnection: close\r\n/i);
    expect(refused).toContain('"message":"ingestion is shutting down; retry"');

    // The request in flight completes with 200 once Kafka answers, and only then does the producer close.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(publisher.events).toEqual([]);
    publisher.release();
    const answer = await answered;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    await closed;
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0].length).toBeGreaterThan(0);
    expect(publisher.events).toEqual(['published', 'producer closed']);
  });
});
