import { IssueChange, StackFrame } from '@faultline/contracts';
import { isTrackedValueKey } from '@faultline/domain';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { CountSeriesSource, SeriesArgs, SeriesPoint } from '../issue-detail/count-series.loader';
import { IssueReader, OccurrenceKey, OccurrenceView, ValueDistribution } from './issue-reader.port';

export interface IssueKey {
  tenant: string;
  issueId: string;
}

/** An issue plus the field arguments its value depends on (`tagDistribution(key, limit)` etc.). */
export interface IssueArgsKey<A> extends IssueKey {
  args: A;
}

/** What resolvers use of a loader: one value per key, batched with the other keys of the same tick. */
export interface Loader<K, V> {
  load(key: K): Promise<V>;
}

/** Where issue histories are read from (the workflow's state store), a page of issues per call. */
export interface IssueHistorySource {
  historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>>;
}

/** Redis's per-issue counts of the tracked keys' values; `IssueStateStore` implements it. */
export interface TrackedValueSource {
  valueCountsOf(tenant: string, issueIds: readonly string[], key: string): Promise<Map<string, { values: { value: string; count: number }[]; other: number }>>;
}

/** What the per-request loaders read from. */
export interface DetailSources {
  reader: IssueReader;
  history: IssueHistorySource;
  series: CountSeriesSource;
  trackedValues: TrackedValueSource;
}

/**
 * Who a mutation is recorded as. Authentication is not implemented yet: the caller names itself in
 * this header (a proxy in front of the gateway may set it), and anything is believed.
 */
export const ACTOR_HEADER = 'x-faultline-actor';
export const ANONYMOUS_ACTOR = 'anonymous';
export const MAX_ACTOR_LENGTH = 128;

/**
 * Per-request state of the resolvers. Every Issue field that reads storage goes through a loader, so
 * a page of issues costs one query per field (and per distinct arguments), not one per issue.
 * Loaders live for one request only: nothing is cached across requests.
 */
export interface GatewayContext {
  /** Frames of an issue's latest occurrence. */
  latestFrames: Loader<IssueKey, StackFrame[]>;
  /** An issue's history: one Redis pipeline per page. */
  history: Loader<IssueKey, IssueChange[]>;
  latestOccurrence: Loader<IssueKey, OccurrenceView | null>;
  affectedTraces: Loader<IssueKey, number>;
  representativeOccurrences: Loader<IssueArgsKey<{ limit: number }>, OccurrenceView[]>;
  valueDistribution: Loader<IssueArgsKey<{ key: string; limit: number }>, ValueDistribution>;
  countSeries: Loader<IssueArgsKey<SeriesArgs>, SeriesPoint[]>;
  /** Whole occurrences by key, for summaries whose stack or messages a query asks for. */
  occurrenceDetail: Loader<OccurrenceKey & { tenant: string }, OccurrenceView | null>;
  /** The raw actor header; mutations validate it with actorOf (queries never need it). */
  actorHeader: string | string[] | undefined;
}

export function createRequestContext({ reader, history, series, trackedValues }: DetailSources, actorHeader?: string | string[]): GatewayContext {
  const none = () => null;
  return {
    latestFrames: issueLoader((tenant, ids) => reader.latestFrames(tenant, ids), () => []),
    history: issueLoader((tenant, ids) => history.historyOf(tenant, ids), () => []),
    latestOccurrence: issueLoader((tenant, ids) => reader.latestOccurrencesOf(tenant, ids), none),
    affectedTraces: issueLoader((tenant, ids) => reader.affectedTracesOf(tenant, ids), () => 0),
    representativeOccurrences: argsLoader((tenant, ids, { limit }) => reader.representativeOccurrencesOf(tenant, ids, limit), () => []),
    valueDistribution: argsLoader((tenant, ids, { key, limit }) => valueDistributions({ reader, trackedValues }, tenant, ids, key, limit), () => ({ total: 0, values: [] })),
    countSeries: argsLoader((tenant, ids, args) => series.seriesOf(tenant, ids, args), () => []),
    occurrenceDetail: occurrenceLoader(reader),
    actorHeader,
  };
}

/** The request's actor: the trimmed header, `anonymous` when absent or blank; BAD_USER_INPUT when too long. */
export function actorOf(context: GatewayContext): string {
  const header = Array.isArray(context.actorHeader) ? context.actorHeader[0] : context.actorHeader;
  const actor = header?.trim() ?? '';
  if (actor === '') return ANONYMOUS_ACTOR;
  if (actor.length > MAX_ACTOR_LENGTH) {
    throw new GraphQLError(`${ACTOR_HEADER}: at most ${MAX_ACTOR_LENGTH} characters, got ${actor.length}`, {
      extensions: { code: 'BAD_USER_INPUT', header: ACTOR_HEADER },
    });
  }
  return actor;
}

/**
 * Tracked keys (service, env, version, host, route...) come from the counts Redis keeps per issue; any
 * other key is counted from ClickHouse. `total` is the occurrences counted for the key (other values
 * included); the resolver takes percentages of the issue's count.
 */
async function valueDistributions(
  sources: Pick<DetailSources, 'reader' | 'trackedValues'>,
  tenant: string,
  issueIds: string[],
  key: string,
  limit: number,
): Promise<Map<string, ValueDistribution>> {
  if (!isTrackedValueKey(key)) return sources.reader.valueDistributionsOf(tenant, issueIds, key, limit);
  const counts = await sources.trackedValues.valueCountsOf(tenant, issueIds, key);
  return new Map(
    [...counts].map(([issueId, { values, other }]) => [
      issueId,
      { total: values.reduce((sum, { count }) => sum + count, other), values: values.slice(0, limit) },
    ]),
  );
}

/** Whole occurrences by key, one query per tenant for all the keys of a tick. */
function occurrenceLoader(reader: IssueReader): Loader<OccurrenceKey & { tenant: string }, OccurrenceView | null> {
  return new DataLoader<OccurrenceKey & { tenant: string }, OccurrenceView | null, string>(
    async (keys) => {
      const tenants = [...new Set(keys.map((key) => key.tenant))];
      const found = new Map(await Promise.all(tenants.map(async (tenant) => [tenant, await reader.occurrencesByKeys(tenant, keys.filter((key) => key.tenant === tenant))] as const)));
      return keys.map((key) => found.get(key.tenant)?.get(key.occurrenceId) ?? null);
    },
    { cacheKeyFn: (key) => `${key.tenant}\u0000${key.occurrenceId}` },
  );
}

type BatchFetch<A, V> = (tenant: string, issueIds: string[], args: A) => Promise<Map<string, V>>;

/**
 * A loader that batches issues with equal tenant and arguments into one fetch. An issue the fetch
 * leaves out gets `missing()` (a very new issue whose first occurrence is not stored yet, or no data).
 */
function argsLoader<A, V>(fetch: BatchFetch<A, V>, missing: () => V): DataLoader<IssueArgsKey<A>, V, string> {
  const argsKey = (key: IssueArgsKey<A>) => `${key.tenant}\u0000${JSON.stringify(key.args)}`;
  return new DataLoader<IssueArgsKey<A>, V, string>(
    async (keys) => {
      const groups = new Map<string, { tenant: string; args: A; issueIds: string[] }>();
      for (const key of keys) {
        const group = groups.get(argsKey(key)) ?? { tenant: key.tenant, args: key.args, issueIds: [] };
        group.issueIds.push(key.issueId);
        groups.set(argsKey(key), group);
      }
      const fetched = new Map(
        await Promise.all([...groups].map(async ([groupKey, group]) => [groupKey, await fetch(group.tenant, group.issueIds, group.args)] as const)),
      );
      return keys.map((key) => {
        const values = fetched.get(argsKey(key));
        return values?.has(key.issueId) ? (values.get(key.issueId) as V) : missing();
      });
    },
    { cacheKeyFn: (key) => `${argsKey(key)}\u0000${key.issueId}` },
  );
}

/** {@link argsLoader} for fields without arguments, keyed by the issue alone. */
function issueLoader<V>(fetch: (tenant: string, issueIds: string[]) => Promise<Map<string, V>>, missing: () => V): Loader<IssueKey, V> {
  const loader = argsLoader<null, V>((tenant, issueIds) => fetch(tenant, issueIds), missing);
  return { load: (key) => loader.load({ ...key, args: null }) };
}
