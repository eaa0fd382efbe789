import { retryWithBackoff } from './retry';

describe('retryWithBackoff', () => {
  it('retries with growing, capped delays until the attempt succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        if (++calls < 5) throw new Error('down');
        return 'written';
      },
      { initialDelayMs: 100, maxDelayMs: 400, giveUpAfterMs: 60_000 },
      () => undefined,
      async (ms) => void delays.push(ms),
    );
    expect(result).toBe('written');
    expect(delays).toHaveLength(4);
    // Jitter keeps each delay within [half, full] of the capped exponential step.
    [100, 200, 400, 400].forEach((step, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(step / 2);
      expect(delays[i]).toBeLessThanOrEqual(step);
    });
  });

  it('rethrows once failures have lasted longer than the policy allows', async () => {
    let clock = 0;
    await expect(
      retryWithBackoff(
        async () => {
          throw new Error('still down');
        },
        { initialDelayMs: 1000, maxDelayMs: 1000, giveUpAfterMs: 3000 },
        () => undefined,
        async (ms) => void (clock += ms),
        () => clock,
      ),
    ).rejects.toThrow('still down');
    expect(clock).toBeGreaterThanOrEqual(3000);
  });
});
