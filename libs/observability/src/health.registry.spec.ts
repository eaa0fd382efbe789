import { HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  it('is ready only when every readiness check passes, and reports each one', async () => {
    const registry = new HealthRegistry();
    registry.addReadinessCheck('kafka', () => ({ ok: true }));
    registry.addReadinessCheck('clickhouse', async () => ({ ok: false, detail: 'connection refused' }));
    const report = await registry.checkReadiness();
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual({ kafka: { ok: true }, clickhouse: { ok: false, detail: 'connection refused' } });
  });

  it('turns a throwing check into a failed one instead of failing the probe handler', async () => {
    const registry = new HealthRegistry();
    registry.addLivenessCheck('consumer', () => {
      throw new Error('loop stopped');
    });
    expect(await registry.checkLiveness()).toEqual({ ok: false, checks: { consumer: { ok: false, detail: 'loop stopped' } } });
  });

  it('is live with no checks registered', async () => {
    expect((await new HealthRegistry().checkLiveness()).ok).toBe(true);
  });
});
