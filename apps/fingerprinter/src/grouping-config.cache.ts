import type { GroupingConfig } from '@faultline/contracts';
import type { Logger } from '@faultline/observability';

/** Where configs come from: `GroupingConfigStore` (Redis) in production, a fake in the spec. */
export interface GroupingConfigSource {
  get(tenant: string): Promise<GroupingConfig>;
}

/** Tenants kept; beyond it the one first seen longest ago is forgotten (and loaded again when it comes back). */
export const MAX_CACHED_TENANTS = 10_000;

interface Entry {
  /** Last config loaded successfully; null until the first load succeeds. */
  config: GroupingConfig | null;
  /** When `config` was loaded, or when a reload last failed (so a failure is retried a TTL later, not per batch). */
  checkedAtMs: number;
  /** The load in progress, shared by every caller that asks meanwhile. */
  loading: Promise<GroupingConfig> | null;
}

/**
 * Tenants' grouping configs for the fingerprinter, read from the store at most once per `ttlMs` per
 * tenant: a rule or pattern change applies to occurrences fingerprinted up to `ttlMs` later. The
 * config object stays the same between loads, so the domain's per-config caches (compiled in-app
 * patterns) hold for the whole TTL.
 *
 * Failures: a tenant whose config was loaded before keeps it when a reload fails (logged; the next
 * attempt is one TTL later). A tenant with no config loaded yet makes `get` reject, so the batch fails
 * and the consumer runtime retries it: grouping without the tenant's rules would file its occurrences
 * under the wrong issues, for good.
 */
export class GroupingConfigCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: GroupingConfigSource,
    private readonly ttlMs: number,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly now: () => number = Date.now,
    private readonly maxTenants = MAX_CACHED_TENANTS,
  ) {}

  get(tenant: string): Promise<GroupingConfig> {
    let entry = this.entries.get(tenant);
    if (entry?.loading) return entry.loading;
    if (entry?.config && this.now() - entry.checkedAtMs < this.ttlMs) return Promise.resolve(entry.config);
    if (!entry) {
      entry = { config: null, checkedAtMs: 0, loading: null };
      this.remember(tenant, entry);
    }
    return this.load(tenant, entry);
  }

  /** The configs of every tenant given (each loaded once); rejects when any tenant has none, see above. */
  async getMany(tenants: Iterable<string>): Promise<Map<string, GroupingConfig>> {
    const unique = [...new Set(tenants)];
    const configs = await Promise.all(unique.map((tenant) => this.get(tenant)));
    return new Map(unique.map((tenant, index) => [tenant, configs[index]]));
  }

  private load(tenant: string, entry: Entry): Promise<GroupingConfig> {
    const loading = this.source
      .get(tenant)
      .then(
        (config) => {
          entry.config = config;
          entry.checkedAtMs = this.now();
          return config;
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          if (entry.config === null) throw new Error(`grouping config of tenant ${tenant} could not be loaded: ${reason}`);
          this.log.warn({ tenant, error: reason, configAgeMs: this.now() - entry.checkedAtMs }, 'reloading grouping config failed; using the last one loaded');
          entry.checkedAtMs = this.now();
          return entry.config;
        },
      )
      .finally(() => {
        entry.loading = null;
      });
    entry.loading = loading;
    return loading;
  }

  private remember(tenant: string, entry: Entry): void {
    if (this.entries.size >= this.maxTenants) {
      // Maps iterate in insertion order: the first key is the tenant remembered longest ago.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(tenant, entry);
  }
}
