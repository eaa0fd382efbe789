import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpListenOptions {
  port: number;
  host: string;
}
export const OTLP_LISTEN_OPTIONS = Symbol('OTLP_LISTEN_OPTIONS');

/**
 * The second listener: the same express app (routes, middleware, health) on the OTLP/HTTP port, so
 * OTel SDKs work with only their endpoint changed. Opens once the routes are registered and before the
 * main listener (bootstrap hooks run inside `app.listen`); closes before the Kafka producer does.
 */
@Injectable()
export class OtlpListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OtlpListener');
  private server: Server | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OTLP_LISTEN_OPTIONS) private readonly options: OtlpListenOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer(this.adapterHost.httpAdapter.getInstance());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`listening on ${this.options.host}:${this.port} (OTLP/HTTP)`);
  }

  /** The port it listens on (the configured one, or the one the OS chose for port 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Stop accepting, let in-flight exports finish, drop idle keep-alive connections.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
  }
}
