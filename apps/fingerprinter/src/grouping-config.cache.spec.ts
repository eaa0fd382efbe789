import { EMPTY_GROUPING_CONFIG, GroupingConfig } from '@faultline/contracts';
import { GroupingConfigCache, GroupingConfigSource } from './grouping-config.cache';

const TTL_MS = 5000;

function configWithKey(groupKey: string): GroupingConfig {
  return { rules: [{ id: groupKey, match: { errorType: 'E' }, groupKey, createdAtMs: 1 }], inApp: { include: [], exclude: [] } };
}

/** A store whose answers the test controls: each `get` waits until the test settles it. */
class FakeStore implements GroupingConfigSource {
  readonly calls: string[] = [];
  private readonly waiting: Array<{ tenant: string; resolve: (config: GroupingConfig) => void; reject: (error: Error) => void }> = [];

  get(tenant: string): Promise<GroupingConfig> {
    this.calls.push(tenant);
    return new Promise((resolve, reject) => this.waiting.push({ tenant, resolve, reject }));
  }

  answer(tenant: string, config: GroupingConfig): void {
    this.take(tenant).resolve(config);
  }

  fail(tenant: string, message = 'connect ECONNREFUSED 127.0.0.1:16379'): void {
    this.take(tenant).reject(new Error(message));
  }

  get pending(): number {
    return this.waiting.length;
  }

  private take(tenant: string) {
    const index = this.waiting.findIndex((call) => call.tenant === tenant);
    if (index < 0) throw new Error(`no pending load for ${tenant}`);
    return this.waiting.splice(index, 1)[0];
  }
}

function setUp(maxTenants?: number) {
  const store = new FakeStore();
  const warnings: Array<{ fields: object; message: string }> = [];
  let nowMs = 1_000_000;
  const cache = new GroupingConfigCache(store, TTL_MS, { warn: ((fields: object, message: string) => warnings.push({ fields, message })) as never }, () => nowMs, maxTenants);
  return { store, cache, warnings, advance: (ms: number) => (nowMs += ms) };
}

describe('GroupingConfigCache', () => {
  it('loads a tenant once per TTL and returns the same config object meanwhile', async () => {
    const { store, cache, advance } = setUp();
    const loading = cache.get('acme');
    store.answer('acme', configWithKey('v1'));
    const first = await loading;
    expect(first).toEqual(configWithKey('v1'));

    advance(TTL_MS - 1);
    expect(await cache.get('acme')).toBe(first);
    expect(store.calls).toEqual(['acme']);

    advance(1);
    const reloading = cache.get('acme');
    expect(store.calls).toEqual(['acme', 'acme']);
    store.answer('acme', configWithKey('v2'));
    expect(await reloading).toEqual(configWithKey('v2'));
  });

  it('shares one load between concurrent callers', async () => {
    const { store, cache } = setUp();
    const callers = [cache.get('acme'), cache.get('acme'), cache.getMany(['acme', 'acme'])];
    expect(store.calls).toEqual(['acme']);
    store.answer('acme', EMPTY_GROUPING_CONFIG);
    const [a, b, many] = await Promise.all(callers);
    expect(a).toBe(EMPTY_GROUPING_CONFIG);
    expect(b).toBe(EMPTY_GROUPING_CONFIG);
    expect(many).toEqual(new Map([['acme', EMPTY_GROUPING_CONFIG]]));
  });

  it('shares a reload too, and serves callers during it with its result', async () => {
    const { store, cache, advance } = setUp();
    const first = cache.get('acme');
    store.answer('acme', configWithKey('v1'));
    await first;
    advance(TTL_MS);
    const reloads = [cache.get('acme'), cache.get('acme')];
    expect(store.calls).toEqual(['acme', 'acme']);
    store.answer('acme', configWithKey('v2'));
    expect(await Promise.all(reloads)).toEqual([configWithKey('v2'), configWithKey('v2')]);
  });

  it('getMany loads each tenant of a batch once, in parallel, and answers for every one', async () => {
    const { store, cache } = setUp();
    const many = cache.getMany(['acme', 'globex', 'acme', 'initech']);
    expect(store.calls).toEqual(['acme', 'globex', 'initech']);
    store.answer('globex', configWithKey('g'));
    store.answer('initech', EMPTY_GROUPING_CONFIG);
    store.answer('acme', configWithKey('a'));
    expect(await many).toEqual(
      new Map([
        ['acme', configWithKey('a')],
        ['globex', configWithKey('g')],
        ['initech', EMPTY_GROUPING_CONFIG],
      ]),
    );
  });

  it('keeps serving the last good config when a reload fails, logs a warning, and retries a TTL later', async () => {
    const { store, cache, warnings, advance } = setUp();
    const first = cache.get('acme');
    store.answer('acme', configWithKey('v1'));
    const good = await first;

    advance(TTL_MS);
    const failing = cache.get('acme');
    store.fail('acme');
    expect(await failing).toBe(good);
    expect(warnings).toEqual([{ fields: { tenant: 'acme', error: 'connect ECONNREFUSED 127.0.0.1:16379', configAgeMs: TTL_MS }, message: 'reloading grouping config failed; using the last one loaded' }]);

    // Not retried on every batch while Redis is down: only after another TTL.
    advance(TTL_MS - 1);
    expect(await cache.get('acme')).toBe(good);
    expect(store.calls).toHaveLength(2);
    advance(1);
    const retry = cache.get('acme');
    expect(store.calls).toHaveLength(3);
    store.answer('acme', configWithKey('v2'));
    expect(await retry).toEqual(configWithKey('v2'));
  });

  it('rejects when a tenant has no config yet and the store fails (the batch is retried), then loads on the next call', async () => {
    const { store, cache, warnings } = setUp();
    const failing = cache.getMany(['acme', 'globex']);
    store.answer('globex', EMPTY_GROUPING_CONFIG);
    store.fail('acme');
    await expect(failing).rejects.toThrow('grouping config of tenant acme could not be loaded: connect ECONNREFUSED 127.0.0.1:16379');
    expect(warnings).toEqual([]);

    // No back-off without a config: the consumer's retry asks again at once.
    const retry = cache.get('acme');
    expect(store.calls).toEqual(['acme', 'globex', 'acme']);
    store.answer('acme', configWithKey('a'));
    expect(await retry).toEqual(configWithKey('a'));
    expect(store.pending).toBe(0);
  });

  it('forgets the tenant first seen longest ago beyond its size, and loads it again when asked', async () => {
    const { store, cache } = setUp(2);
    for (const tenant of ['a', 'b', 'c']) {
      const loading = cache.get(tenant);
      store.answer(tenant, EMPTY_GROUPING_CONFIG);
      await loading;
    }
    await cache.get('b');
    await cache.get('c');
    expect(store.calls).toEqual(['a', 'b', 'c']);
    const again = cache.get('a');
    expect(store.calls).toEqual(['a', 'b', 'c', 'a']);
    store.answer('a', EMPTY_GROUPING_CONFIG);
    await again;
  });
});
