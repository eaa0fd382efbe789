import { Inject, Injectable, Logger, NestMiddleware, OnModuleDestroy, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GRPC_CODE } from '@faultline/intake';
import { HealthRegistry } from '@faultline/observability';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { RETRY_AFTER_SECONDS, sendOtlpError } from '../otlp/otlp-http';

/** Longest SIGTERM waits for intake requests in flight before the Kafka producer is closed anyway. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
export const DRAIN_TIMEOUT_MS = Symbol('DRAIN_TIMEOUT_MS');
const OTLP_PATH = '/v1/traces';

/**
 * Makes ingestion stop taking new work as soon as shutdown starts (the first Nest hook, before any
 * client closes), and finish what it took:
 * - every listener stops accepting connections at once (Nest itself would close the Datadog port
 *   only after all shutdown hooks);
 * - a request arriving on a connection that is still open (kept alive) gets 503 with `Retry-After`
 *   and `Connection: close` (OTLP exporters retry it against another instance; the chart's preStop
 *   sleep has taken the pod out of the Service endpoints by then), and responses to the requests in
 *   flight close their connections too; whatever connection is left is closed once they are done;
 * - readiness fails, and the requests in flight finish (their spans reach Kafka) before the
 *   producer disconnects in the later `onApplicationShutdown` hook, bounded by the drain timeout.
 * IntakeDrainMiddleware puts it in front of the intake routes (not health or metrics).
 */
@Injectable()
export class IntakeDrain implements OnModuleDestroy {
  private readonly logger = new Logger('IntakeDrain');
  private readonly listeners = new Set<Server>();
  private readonly inFlight = new Set<Response>();
  private draining = false;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    health: HealthRegistry,
    @Optional() @Inject(DRAIN_TIMEOUT_MS) private readonly drainTimeoutMs: number = DEFAULT_DRAIN_TIMEOUT_MS,
  ) {
    health.addReadinessCheck('intake', () => (this.draining ? { ok: false, detail: 'shutting down: not taking new requests' } : { ok: true }));
  }

  /** A listener besides Nest's own (the OTLP port) that must stop accepting when draining starts. */
  addListener(server: Server): void {
    this.listeners.add(server);
  }

  /** Refuses the request when shutdown has started, otherwise tracks it until its response is done. */
  admit(request: Request, response: Response, next: NextFunction): void {
    if (this.draining) return refuse(request, response);
    this.inFlight.add(response);
    // 'close' fires once the response is sent or the connection is gone, whichever happens.
    response.once('close', () => {
      this.inFlight.delete(response);
      if (this.inFlight.size === 0) this.onIdle?.();
    });
    next();
  }

  async onModuleDestroy(): Promise<void> {
    this.draining = true;
    const servers = [this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined, ...this.listeners].filter(isListening);
    // Stop listening but keep the open connections: http.Server#close would also drop the idle
    // kept-alive ones, and a request a client writes on one at that moment is lost to a reset (dd-trace
    // does not retry). Kept open, such a request gets the 503 above and the connection closes after it.
    for (const server of servers) NetServer.prototype.close.call(server);
    // Answers already being written keep their connection; the ones still to come close it.
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    const holding = this.inFlight.size;
    this.logger.log(`shutting down: stopped accepting on ${servers.length} listeners; ${holding} requests in flight`);
    const started = Date.now();
    const drained = await this.whenIdle();
    const left = this.inFlight.size;
    if (drained) this.logger.log(`drained ${holding} requests in ${Date.now() - started} ms`);
    else this.logger.warn(`${left} requests still in flight after ${this.drainTimeoutMs} ms; shutting down anyway`);
    for (const server of servers) server.closeAllConnections();
  }

  /** True once no request is in flight; false if the drain timeout came first. */
  private whenIdle(): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.drainTimeoutMs);
      this.onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

function isListening(server: Server | undefined): server is Server {
  return server !== undefined && server.listening;
}

function refuse(request: Request, response: Response): void {
  const message = 'ingestion is shutting down; retry';
  response.setHeader('Connection', 'close');
  if (request.originalUrl.split('?')[0] === OTLP_PATH) return sendOtlpError(request, response, 503, GRPC_CODE.unavailable, message, RETRY_AFTER_SECONDS);
  response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  response.status(503).json({ error: message });
}

/** Nest instantiates middleware apart from providers: this one hands each request to the shared IntakeDrain. */
@Injectable()
export class IntakeDrainMiddleware implements NestMiddleware {
  constructor(private readonly drain: IntakeDrain) {}

  use(request: Request, response: Response, next: NextFunction): void {
    this.drain.admit(request, response, next);
  }
}
