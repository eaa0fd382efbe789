import type { Logger } from './logger';

/** What closeOnSignals needs of the process: its signals and its exit (the spec passes its own). */
export interface SignalProcess {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

/**
 * Graceful shutdown on SIGTERM (Kubernetes, the local stack's `down`) and SIGINT (Ctrl-C): logs the
 * signal, closes the app (Nest's hooks: intake drain, consumers write and commit what they hold,
 * clients close), logs how long that took, and exits 0. Replaces Nest's `enableShutdownHooks`,
 * which re-raises the signal when done: the process then dies before the logger's buffered lines
 * reach stdout, so a shutdown left no trace. `process.exit` runs pino's exit flush. A second signal
 * while closing exits at once with 1 (an operator's second Ctrl-C).
 */
export function closeOnSignals(app: { close(): Promise<void> }, log: Logger, target: SignalProcess = process): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal while shutting down: exiting now');
      target.exit(1);
      return;
    }
    closing = true;
    const started = Date.now();
    log.info({ signal }, 'shutting down');
    app.close().then(
      () => {
        log.info({ signal, ms: Date.now() - started }, 'shut down');
        target.exit(0);
      },
      (error: Error) => {
        log.error({ signal, error: error.message }, 'shutdown failed');
        target.exit(1);
      },
    );
  };
  target.on('SIGTERM', onSignal);
  target.on('SIGINT', onSignal);
}
