/** A named check: `ok` false makes the probe fail; `detail` explains why in the probe's body. */
export interface HealthCheckResult {
  ok: boolean;
  detail?: string;
}
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

/**
 * Liveness answers "should this process be restarted?" (e.g. a consumer whose loop stopped);
 * readiness answers "can it do its work now?" (e.g. dependencies reachable). Components register
 * their own checks so the probe reflects every moving part.
 */
export class HealthRegistry {
  private readonly liveness = new Map<string, HealthCheck>();
  private readonly readiness = new Map<string, HealthCheck>();

  addLivenessCheck(name: string, check: HealthCheck): void {
    this.liveness.set(name, check);
  }

  addReadinessCheck(name: string, check: HealthCheck): void {
    this.readiness.set(name, check);
  }

  checkLiveness(): Promise<HealthReport> {
    return runChecks(this.liveness);
  }

  checkReadiness(): Promise<HealthReport> {
    return runChecks(this.readiness);
  }
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheckResult>;
}

const CHECK_TIMEOUT_MS = 2000;

async function runChecks(checks: Map<string, HealthCheck>): Promise<HealthReport> {
  const entries = await Promise.all(
    [...checks].map(async ([name, check]) => [name, await runOne(check)] as const),
  );
  return { ok: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
}

async function runOne(check: HealthCheck): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve(check()), timeout]);
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
