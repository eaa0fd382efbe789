import { isTrackedValueKey, trackedValues, type ValueSource } from './tracked-values';

const source = (overrides: Partial<ValueSource> = {}): ValueSource => ({
  service: 'checkout',
  env: 'production',
  version: '1.4.2',
  host: 'web-1',
  container: null,
  resource: 'GET /orders/:id',
  tags: { 'http.route': '/orders/:id', 'http.status_code': '500', 'http.method': 'GET', language: 'javascript', 'user.id': '42' },
  ...overrides,
});

describe('tracked values', () => {
  it('reads every tracked key that has a value, in key order, leaving out empty ones and other tags', () => {
    expect(trackedValues(source())).toEqual([
      ['service', 'checkout'],
      ['env', 'production'],
      ['version', '1.4.2'],
      ['host', 'web-1'],
      ['resource', 'GET /orders/:id'],
      ['runtime', 'javascript'],
      ['http.route', '/orders/:id'],
      ['http.status_code', '500'],
      ['http.method', 'GET'],
    ]);
    expect(trackedValues(source({ env: '', version: null, tags: {} })).map(([key]) => key)).toEqual(['service', 'host', 'resource']);
  });

  it.each([
    [{ 'process.runtime.name': 'nodejs', 'process.runtime.version': '20.19.0', language: 'javascript' }, 'nodejs 20.19.0'],
    [{ 'process.runtime.name': 'python' }, 'python'],
    [{ language: 'javascript', 'language.version': 'v20.19.0' }, 'javascript v20.19.0'],
    [{ 'language.version': 'v20.19.0' }, undefined],
  ])('derives runtime from %j', (tags, runtime) => {
    expect(trackedValues(source({ tags })).find(([key]) => key === 'runtime')?.[1]).toBe(runtime);
  });

  it('knows which keys are tracked', () => {
    expect(isTrackedValueKey('http.route')).toBe(true);
    expect(isTrackedValueKey('user.id')).toBe(false);
  });
});
