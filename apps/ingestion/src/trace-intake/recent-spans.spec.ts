import { BoundedTtlCache, RecentSpans } from './recent-spans';

describe('BoundedTtlCache', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('forgets entries after their time to live', () => {
    const cache = new BoundedTtlCache<string>(10, 60_000, clock);
    cache.set('a', 'checkout');
    now += 59_999;
    expect(cache.get('a')).toBe('checkout');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently written entry beyond its bound', () => {
    const cache = new BoundedTtlCache<number>(2, 60_000, clock);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([3, undefined, 4]);
    expect(cache.size).toBe(2);
  });
});

describe('RecentSpans', () => {
  it('answers the service of a remembered span and an exception remembered below a missing span', () => {
    const recent = new RecentSpans({ maxSpans: 10, maxPendingExceptions: 10, ttlMs: 1_000 });
    const exception = { type: 'TypeError', message: 'x', stacktrace: 'TypeError: x\n    at f (/app/a.js:1:1)' };
    recent.rememberService('1', '2', 'checkout');
    recent.rememberExceptionBelow({ traceId: '1', belowSpanId: '9', service: 'checkout', exception });

    expect(recent.serviceOf('1', '2')).toBe('checkout');
    expect(recent.serviceOf('2', '2')).toBeUndefined();
    expect(recent.exceptionBelow('1', '9')).toEqual({ service: 'checkout', exception });
  });
});
