import { AUTO_RESOLVE_FIRST_RUN_DELAY_MS, AutoResolveJob } from './auto-resolve.job';
import type { AutoResolveRunSummary } from './auto-resolve.use-case';

const INTERVAL = 600_000;
const SUMMARY: AutoResolveRunSummary = { candidates: 3, resolved: 1, refused: 0 };

function setup(execute: (nowMs: number) => Promise<AutoResolveRunSummary>) {
  const log = { info: jest.fn(), debug: jest.fn(), error: jest.fn() };
  const useCase = { execute: jest.fn(execute) };
  let clock = 1_000;
  const job = new AutoResolveJob(useCase, INTERVAL, log, () => clock++);
  return { job, useCase, log };
}

describe('AutoResolveJob', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs shortly after start, then every interval, with the injected clock', async () => {
    const { job, useCase, log } = setup(async () => SUMMARY);
    job.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(AUTO_RESOLVE_FIRST_RUN_DELAY_MS - 1);
    expect(useCase.execute).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(useCase.execute).toHaveBeenCalledWith(1_000);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(useCase.execute).toHaveBeenCalledTimes(2);
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining(SUMMARY), 'auto-resolve run done');
    await job.beforeApplicationShutdown();
  });

  it('logs a failed run and runs again at the next interval', async () => {
    let calls = 0;
    const { job, useCase, log } = setup(async () => {
      if (calls++ === 0) throw new Error('clickhouse down');
      return { candidates: 0, resolved: 0, refused: 0 };
    });
    job.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(AUTO_RESOLVE_FIRST_RUN_DELAY_MS);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), expect.stringContaining('failed'));
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(useCase.execute).toHaveBeenCalledTimes(2);
    expect(log.debug).toHaveBeenCalledTimes(1);
    await job.beforeApplicationShutdown();
  });

  it('on shutdown waits for the run in flight and schedules nothing more', async () => {
    let finish: () => void = () => undefined;
    const { job, useCase } = setup(() => new Promise((resolve) => (finish = () => resolve(SUMMARY))));
    job.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(AUTO_RESOLVE_FIRST_RUN_DELAY_MS);
    let stopped = false;
    const stopping = job.beforeApplicationShutdown().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(useCase.execute).toHaveBeenCalledTimes(1);
  });

  it('stopped before its first run, never runs', async () => {
    const { job, useCase } = setup(async () => SUMMARY);
    job.onApplicationBootstrap();
    await job.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(useCase.execute).not.toHaveBeenCalled();
  });
});
