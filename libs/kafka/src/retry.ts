export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** After this long of consecutive failures the error is rethrown (the process then exits loudly). */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 10_000, giveUpAfterMs: 5 * 60_000 };

/**
 * Retries a write that failed for a transient reason (dependency down) with capped exponential
 * backoff and jitter: no busy loop while a dependency is away, and a loud failure if it never returns.
 */
export async function retryWithBackoff<R>(
  attempt: () => Promise<R>,
  policy: RetryPolicy,
  onRetry: (error: Error, attemptNumber: number, delayMs: number) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => number = Date.now,
): Promise<R> {
  const startedAt = now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (now() - startedAt >= policy.giveUpAfterMs) throw error;
      const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attemptNumber - 1));
      const delayMs = Math.round(exponential * (0.5 + Math.random() / 2));
      onRetry(error as Error, attemptNumber, delayMs);
      await sleep(delayMs);
    }
  }
}
