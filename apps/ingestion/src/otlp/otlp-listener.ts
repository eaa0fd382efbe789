import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntakeDrain } from '../http/intake-drain';

export interface OtlpListenOptions {
  port: number;
  host: string;
}
export const OTLP_LISTEN_OPTIONS = Symbol('OTLP_LISTEN_OPTIONS');

/**
 * The second listener: the same express app (routes, middleware, health) on the OTLP/HTTP port, so
 * OTel SDKs work with only their endpoint changed. Opens once the routes are registered and before the
 * main listener (bootstrap hooks run inside `app.listen`). IntakeDrain closes it when shutdown starts,
 * together with the Datadog port.
 */
@Injectable()
export class OtlpListener implements OnApplicationBootstrap {
  private readonly logger = new Logger('OtlpListener');
  private server: Server | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly drain: IntakeDrain,
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
    this.drain.addListener(server);
    this.logger.log(`listening on ${this.options.host}:${this.port} (OTLP/HTTP)`);
  }

  /** The port it listens on (the configured one, or the one the OS chose for port 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }
}
