import type { Logger } from '@faultline/observability';
import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { AutoResolveIssuesUseCase } from './auto-resolve.use-case';

/** Delay of the first run after start (or the interval, when shorter): long enough for the consumer to connect the producer. */
export const AUTO_RESOLVE_FIRST_RUN_DELAY_MS = 30_000;

/**
 * Runs auto-resolve every `intervalMs`, one run at a time (the next is scheduled when one ends). A
 * failed run is logged and the next one tries again; it never stops the process. Every replica runs
 * it: the use case's Redis compare-and-set makes concurrent runs safe. Stops in
 * `beforeApplicationShutdown`, waiting for a run in flight, so the storage clients and the producer
 * (closed in `onApplicationShutdown`) outlive it.
 */
export class AutoResolveJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly useCase: Pick<AutoResolveIssuesUseCase, 'execute'>,
    private readonly intervalMs: number,
    private readonly log: Pick<Logger, 'info' | 'debug' | 'error'>,
    private readonly now: () => number = Date.now,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(Math.min(AUTO_RESOLVE_FIRST_RUN_DELAY_MS, this.intervalMs));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One run; resolves when it is over, whatever its outcome. */
  async runOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      const summary = await this.useCase.execute(this.now());
      const level = summary.resolved > 0 ? 'info' : 'debug';
      this.log[level]({ ...summary, durationMs: Date.now() - startedAt }, 'auto-resolve run done');
    } catch (error) {
      this.log.error({ err: error, nextRunInMs: this.intervalMs }, 'auto-resolve run failed; the next run tries again');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.schedule(this.intervalMs);
      });
    }, delayMs);
    // Shutdown clears it; it must never be what keeps the process alive.
    this.timer.unref();
  }
}
