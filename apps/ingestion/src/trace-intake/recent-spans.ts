import type { PendingException, SpanHistory, UnattributedException } from '@faultline/domain';

/**
 * A Map kept in least-recently-written order, with at most `maxEntries` entries that expire `ttlMs`
 * after they were written. Reads do not refresh: an entry is useful for as long as the trace it
 * belongs to may still be arriving, not for as long as someone asks about it.
 */
export class BoundedTtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    // Delete first so the entry moves to the end of the insertion order.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface RecentSpansOptions {
  maxSpans: number;
  maxPendingExceptions: number;
  ttlMs: number;
  now?: () => number;
}

/**
 * Split traces: what this ingestion process remembers of recent payloads, of every protocol.
 *
 * A span whose parent is not in its payload is a service-entry span unless the parent is *known* to
 * be of the same service. Known means: the parent arrived in a payload this process accepted within
 * the last `ttlMs` (60 s) and is among the last `maxSpans` (10,000) spans remembered. The parent may
 * come later than the child (dd-trace partial flushes and OTel batches send finished children first),
 * and then it is not known yet: the child counts as an entry. For OTLP, whose SERVER spans carry no
 * exception themselves, an exception seen on spans below a parent that was not in the payload is kept
 * too (`exceptionBelow`), so the SERVER span arriving in the next export still gets its error.
 *
 * Per process, in memory: with several ingestion replicas, a trace split across payloads that land on
 * different replicas is judged per payload. That costs at most an extra or a missing occurrence for
 * traces that are already unusual (very long, or batched mid-request), never a wrong grouping.
 */
export class RecentSpans implements SpanHistory {
  private readonly services: BoundedTtlCache<string>;
  private readonly pendingExceptions: BoundedTtlCache<PendingException>;

  constructor(options: RecentSpansOptions = { maxSpans: 10_000, maxPendingExceptions: 1_000, ttlMs: 60_000 }) {
    this.services = new BoundedTtlCache(options.maxSpans, options.ttlMs, options.now);
    this.pendingExceptions = new BoundedTtlCache(options.maxPendingExceptions, options.ttlMs, options.now);
  }

  serviceOf(traceId: string, spanId: string): string | undefined {
    return this.services.get(`${traceId}:${spanId}`);
  }

  exceptionBelow(traceId: string, spanId: string): PendingException | undefined {
    return this.pendingExceptions.get(`${traceId}:${spanId}`);
  }

  rememberService(traceId: string, spanId: string, service: string): void {
    this.services.set(`${traceId}:${spanId}`, service);
  }

  rememberExceptionBelow({ traceId, belowSpanId, service, exception }: UnattributedException): void {
    this.pendingExceptions.set(`${traceId}:${belowSpanId}`, { service, exception });
  }
}
