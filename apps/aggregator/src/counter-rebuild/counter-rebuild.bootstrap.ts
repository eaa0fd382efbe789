import type { Logger } from '@faultline/observability';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { RedisStateGuard } from './redis-state.guard';

/**
 * Checks the Redis state at start-up, so a rebuild after a Redis loss starts before the first batch
 * arrives. In the background: a failure (ClickHouse not up yet) is logged, and the first batch runs
 * the same check again, where a failure is retried with the consumer's backoff.
 */
export class CounterRebuildBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly guard: RedisStateGuard,
    private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.guard.ensureState().catch((error: unknown) => {
      this.log.warn({ error: (error as Error).message }, 'start-up check of the redis issue state failed; the first batch checks again');
    });
  }
}
