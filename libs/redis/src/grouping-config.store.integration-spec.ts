import type { GroupingRule } from '@faultline/contracts';
import { redisTargets } from '../test/integration-env';
import { GroupingConfigKeys, GroupingConfigStore, InvalidGroupingConfigError, MAX_GROUPING_RULES_PER_TENANT } from './grouping-config.store';

describe.each(redisTargets())('on $name Redis', ({ connect }) => {
  const redis = connect();
  const keys = new GroupingConfigKeys();
  const store = new GroupingConfigStore(redis);

  afterAll(async () => {
    await redis.quit();
  });

  let tenantCounter = 0;
  function uniqueTenant(): string {
    return `gc${process.pid}-${Date.now().toString(36)}-${tenantCounter++}`;
  }

  /** A store whose clock the test sets, for ordering by creation time. */
  function storeAt(times: number[]): GroupingConfigStore {
    return new GroupingConfigStore(redis, keys, () => {
      const next = times.shift();
      if (next === undefined) throw new Error('clock ran out of times');
      return next;
    });
  }

  async function addRuleError(tenant: string, input: unknown): Promise<InvalidGroupingConfigError> {
    const error = await store.addRule(tenant, input as Parameters<GroupingConfigStore['addRule']>[1]).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidGroupingConfigError);
    return error as InvalidGroupingConfigError;
  }

  describe('GroupingConfigStore (real Redis)', () => {
    it('returns the empty config for a tenant that configured nothing', async () => {
      expect(await store.get(uniqueTenant())).toEqual({ rules: [], inApp: { include: [], exclude: [] } });
    });

    it('adds a rule with a random 16-hex id and the creation time, lists it, deletes it', async () => {
      const tenant = uniqueTenant();
      const before = Date.now();
      const rule = await store.addRule(tenant, { match: { messageContains: 'Payment declined for order' }, groupKey: 'payment-declined' });
      expect(rule).toEqual<GroupingRule>({ id: expect.stringMatching(/^[0-9a-f]{16}$/), match: { messageContains: 'Payment declined for order' }, groupKey: 'payment-declined', createdAtMs: expect.any(Number) });
      expect(rule.createdAtMs).toBeGreaterThanOrEqual(before);
      expect(rule.createdAtMs).toBeLessThanOrEqual(Date.now());
      expect((await store.get(tenant)).rules).toEqual([rule]);

      expect(await store.deleteRule(tenant, rule.id)).toBe(true);
      expect(await store.deleteRule(tenant, rule.id)).toBe(false);
      expect(await store.deleteRule(tenant, 'no-such-rule')).toBe(false);
      expect((await store.get(tenant)).rules).toEqual([]);
    });

    it('keeps every condition of a rule and trims the group key', async () => {
      const tenant = uniqueTenant();
      const match = { service: 'checkout', errorType: 'PaymentDeclinedError', messageContains: 'declined', frameContains: 'chargeOrder' };
      const rule = await store.addRule(tenant, { match, groupKey: '  declined-charges  ' });
      expect(rule).toMatchObject({ match, groupKey: 'declined-charges' });
      expect((await store.get(tenant)).rules).toEqual([rule]);
    });

    it('lists rules by creation time, then id', async () => {
      const tenant = uniqueTenant();
      const clocked = storeAt([3000, 1000, 2000, 2000]);
      const third = await clocked.addRule(tenant, { match: { errorType: 'C' }, groupKey: 'c' });
      const first = await clocked.addRule(tenant, { match: { errorType: 'A' }, groupKey: 'a' });
      const tiedA = await clocked.addRule(tenant, { match: { errorType: 'B1' }, groupKey: 'b1' });
      const tiedB = await clocked.addRule(tenant, { match: { errorType: 'B2' }, groupKey: 'b2' });
      const tied = [tiedA, tiedB].sort((a, b) => (a.id < b.id ? -1 : 1));
      expect((await store.get(tenant)).rules.map((rule) => rule.id)).toEqual([first.id, ...tied.map((rule) => rule.id), third.id]);
    });

    it('rejects invalid rules with an error naming the field, and stores nothing', async () => {
      const tenant = uniqueTenant();
      expect((await addRuleError(tenant, { match: {}, groupKey: 'x' })).field).toBe('match');
      expect((await addRuleError(tenant, { match: {}, groupKey: 'x' })).message).toMatch(/match: a rule needs at least one condition/);
      expect((await addRuleError(tenant, { match: { service: '' }, groupKey: 'x' })).field).toBe('match.service');
      expect((await addRuleError(tenant, { match: { messageContains: 'x'.repeat(1025) }, groupKey: 'x' })).field).toBe('match.messageContains');
      expect((await addRuleError(tenant, { match: { errorType: 'E' }, groupKey: '   ' })).field).toBe('groupKey');
      expect((await addRuleError(tenant, { match: { errorType: 'E' } })).field).toBe('groupKey');
      expect((await addRuleError(tenant, { groupKey: 'x' })).field).toBe('match');
      expect((await store.get(tenant)).rules).toEqual([]);
    });

    it(`refuses a rule beyond ${MAX_GROUPING_RULES_PER_TENANT} per tenant`, async () => {
      const tenant = uniqueTenant();
      const fields = Array.from({ length: MAX_GROUPING_RULES_PER_TENANT }, (_, n) => [`r${n}`, JSON.stringify({ id: `r${n}`, match: { errorType: `E${n}` }, groupKey: `k${n}`, createdAtMs: n })]);
      await redis.hset(keys.rules(tenant), Object.fromEntries(fields));
      const error = await addRuleError(tenant, { match: { errorType: 'E' }, groupKey: 'one-too-many' });
      expect(error.field).toBe('rules');
      expect((await store.get(tenant)).rules).toHaveLength(MAX_GROUPING_RULES_PER_TENANT);
    });

    it('keeps tenants apart', async () => {
      const [a, b] = [uniqueTenant(), uniqueTenant()];
      const ruleA = await store.addRule(a, { match: { service: 'checkout' }, groupKey: 'a' });
      await store.setInAppPatterns(b, { include: ['yaml.*'], exclude: [] });
      expect(await store.get(a)).toEqual({ rules: [ruleA], inApp: { include: [], exclude: [] } });
      expect(await store.get(b)).toEqual({ rules: [], inApp: { include: ['yaml.*'], exclude: [] } });
      expect(await store.deleteRule(b, ruleA.id)).toBe(false);
      expect((await store.get(a)).rules).toEqual([ruleA]);
    });

    it('round-trips in-app patterns and replaces them on the next set', async () => {
      const tenant = uniqueTenant();
      const patterns = { include: ['yaml.*', 'src/[id].ts', 'com.acme.*'], exclude: ['*Generated*', 'chargeOrder(?'] };
      expect(await store.setInAppPatterns(tenant, patterns)).toEqual(patterns);
      expect((await store.get(tenant)).inApp).toEqual(patterns);
      await store.setInAppPatterns(tenant, { include: [], exclude: ['x'] });
      expect((await store.get(tenant)).inApp).toEqual({ include: [], exclude: ['x'] });
    });

    it('rejects invalid patterns naming the field, keeping the previous ones', async () => {
      const tenant = uniqueTenant();
      await store.setInAppPatterns(tenant, { include: ['a'], exclude: [] });
      const error = await store.setInAppPatterns(tenant, { include: ['ok', ''], exclude: [] }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidGroupingConfigError);
      expect((error as InvalidGroupingConfigError).field).toBe('include.1');
      const tooMany = await store.setInAppPatterns(tenant, { include: [], exclude: Array.from({ length: 101 }, (_, n) => `p${n}`) }).catch((caught: unknown) => caught);
      expect((tooMany as InvalidGroupingConfigError).field).toBe('exclude');
      expect((await store.get(tenant)).inApp).toEqual({ include: ['a'], exclude: [] });
    });

    it('fails loudly on a corrupt stored rule instead of dropping it', async () => {
      const tenant = uniqueTenant();
      await redis.hset(keys.rules(tenant), 'broken', '{"id":"broken","match":{},"groupKey":"x","createdAtMs":1}');
      await expect(store.get(tenant)).rejects.toThrow(/corrupt grouping config at .*grouping-rules field broken: match/);
    });
  });
});
