import type { Logger } from '@faultline/observability';
import type { IssueStateMeta } from '@faultline/redis';
import type { RebuildCountersResult, RebuildCountersUseCase } from './rebuild-counters.use-case';

export interface RedisStateGuardOptions {
  /** Expiry of the rebuild lock; the holder renews it every third of this while it works. */
  lockTtlMs?: number;
  /** How often a waiting process looks whether the state is back. */
  pollMs?: number;
  /** How long a batch waits for another process's rebuild before failing (the consumer retries it). */
  maxWaitMs?: number;
}

const DEFAULT_LOCK_TTL_MS = 30_000;
const DEFAULT_POLL_MS = 250;
const DEFAULT_MAX_WAIT_MS = 120_000;

/**
 * Makes sure Redis holds the issue state before the aggregator counts anything. Redis keeps the
 * counters and the dedupe sets that make counting exactly-once; if it restarts empty (or is
 * flushed), counting on would start every issue from 1 and count redeliveries again. The state's
 * marker (IssueStateMeta `epoch`, written after a complete rebuild and never expiring) tells the two
 * apart with one EXISTS per batch.
 *
 * When the marker is missing, one process takes the rebuild lock (SET NX with an expiry, renewed
 * while it works), rebuilds everything from ClickHouse and writes the marker; every other process,
 * and every other batch of this one, waits for the marker. A holder that dies lets the lock expire
 * and the next waiter takes over (the rebuild is idempotent). A failure propagates to the batch,
 * which the consumer retries with backoff. A new installation goes the same way once: nothing to
 * rebuild, then the marker.
 *
 * Not covered: a batch already past the check when Redis is flushed counts into the empty Redis; its
 * rows are in ClickHouse, so the next batch's check triggers the rebuild, which replaces that partial
 * state with the whole one.
 */
export class RedisStateGuard {
  private readonly lockTtlMs: number;
  private readonly pollMs: number;
  private readonly maxWaitMs: number;
  private restoring: Promise<void> | null = null;

  constructor(
    private readonly meta: IssueStateMeta,
    private readonly rebuild: RebuildCountersUseCase,
    private readonly log: Logger,
    options: RedisStateGuardOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Resolves once Redis holds the state (rebuilding it first if needed). */
  async ensureState(): Promise<void> {
    if (await this.meta.stateMarked()) return;
    // One restore per process at a time; concurrent batches share it.
    this.restoring ??= this.restore().finally(() => {
      this.restoring = null;
    });
    await this.restoring;
  }

  /**
   * Rebuilds now whether or not the state is marked (`npm run rebuild-counters`), under the same
   * lock: waits while another process holds it.
   */
  async rebuildNow(): Promise<RebuildCountersResult> {
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const token = await this.meta.acquireLock(this.lockTtlMs);
      if (token) return this.rebuildHolding(token);
      if (Date.now() > deadline) throw new Error(`the rebuild lock ${this.meta.lockKey} is still held after ${this.maxWaitMs} ms`);
      await sleep(this.pollMs);
    }
  }

  private async restore(): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs;
    let waiting = false;
    for (;;) {
      if (await this.meta.stateMarked()) return;
      const token = await this.meta.acquireLock(this.lockTtlMs);
      if (token) {
        // Re-checked under the lock: another process may have finished between the check and the lock.
        if (await this.meta.stateMarked()) {
          await this.meta.releaseLock(token);
          return;
        }
        this.log.warn('redis issue state missing (marker absent): rebuilding counters from ClickHouse before counting');
        await this.rebuildHolding(token);
        return;
      }
      if (!waiting) this.log.info('redis issue state missing; waiting for the rebuild another process holds the lock for');
      waiting = true;
      if (Date.now() > deadline) throw new Error(`redis issue state still missing after waiting ${this.maxWaitMs} ms for another process's rebuild`);
      await sleep(this.pollMs);
    }
  }

  private async rebuildHolding(token: string): Promise<RebuildCountersResult> {
    let lockLost = false;
    const renewal = setInterval(() => {
      this.meta.renewLock(token, this.lockTtlMs).then(
        (renewed) => {
          if (!renewed) lockLost = true;
        },
        (error: unknown) => this.log.warn({ error: (error as Error).message }, 'counter rebuild: renewing the lock failed'),
      );
    }, Math.max(1, Math.floor(this.lockTtlMs / 3)));
    try {
      const result = await this.rebuild.execute({
        checkpoint: () => {
          if (lockLost) throw new Error('counter rebuild: lost the rebuild lock; another process took over');
        },
      });
      if (lockLost) throw new Error('counter rebuild: lost the rebuild lock; another process took over');
      await this.meta.markState(`rebuilt ${new Date().toISOString()}: ${result.issues} issues of ${result.tenants} tenants`);
      this.log.warn({ ...result }, 'counter rebuild done');
      return result;
    } finally {
      clearInterval(renewal);
      await this.meta.releaseLock(token).catch(() => undefined);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
