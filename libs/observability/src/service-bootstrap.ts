import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger, NestPinoLogger } from './logger';
import { closeOnSignals } from './shutdown-signals';

/**
 * What a worker calls when it cannot go on (a write failed past its retry policy, too many invalid
 * messages): exit non-zero so the supervisor (local stack, Kubernetes) restarts it.
 */
export function exitOnFatal(log: Logger): (error: Error) => void {
  return (error) => {
    log.fatal({ error: error.message }, 'exiting after fatal error');
    setTimeout(() => process.exit(1), 100);
  };
}

/**
 * Creates a service's Nest app with the shared logger and graceful shutdown (closeOnSignals: SIGTERM
 * drains consumers and closes clients through the shutdown hooks), lets the caller mount extra middleware, and listens.
 */
export async function startService(
  module: DynamicModule,
  options: { log: Logger; port: number; host: string; bodyParser?: boolean; beforeListen?: (app: INestApplication) => Promise<void> },
): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    logger: new NestPinoLogger(options.log),
    bodyParser: options.bodyParser ?? true,
    // Start-up errors (a dependency unreachable) reach runMain's handler instead of process.abort().
    abortOnError: false,
  });
  await options.beforeListen?.(app);
  await app.listen(options.port, options.host);
  closeOnSignals(app, options.log);
  options.log.info({ port: options.port, host: options.host }, 'service started');
  return app;
}

/** Runs an async main and exits loudly if it throws (bad configuration, unreachable dependency at start-up). */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
