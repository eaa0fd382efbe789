import {
  encodeCursor,
  InvalidCursorError,
  InvalidOccurrenceKeyError,
  IssueHourlyCountsRepository,
  IssueListQueries,
  IssueRepository,
  OccurrenceRepository,
  OccurrenceSummary,
  StoredOccurrence,
} from '@faultline/clickhouse';
import { IssueRecord, StackFrame } from '@faultline/contracts';
import { GraphQLError } from 'graphql';
import {
  IssueListFilter,
  IssueReader,
  IssueSort,
  OccurrenceKey,
  OccurrenceListFilter,
  OccurrenceView,
  Page,
  PageRequest,
  ValueCount,
  ValueDistribution,
} from './issue-reader.port';

/** The ClickHouse repositories the reader reads through. */
export interface ClickHouseReadModels {
  issues: IssueRepository;
  lists: IssueListQueries;
  occurrences: OccurrenceRepository;
  hourlyCounts: IssueHourlyCountsRepository;
}

/** IssueReader over ClickHouse: issues from the projection, lists and facets from the list queries, details from the occurrences. */
export class ClickHouseIssueReader implements IssueReader {
  constructor(private readonly models: ClickHouseReadModels) {}

  orderedIssueIds(tenant: string, filter: IssueListFilter, sort: IssueSort, nowMs: number, limit: number): Promise<{ ids: string[]; totalCount: number }> {
    return asUserInputErrors(() => this.models.lists.orderedIds(tenant, filter, sort, nowMs, limit));
  }

  issuesByIds(tenant: string, issueIds: readonly string[]): Promise<IssueRecord[]> {
    return this.models.issues.findByIds(tenant, issueIds);
  }

  getIssue(tenant: string, issueId: string): Promise<IssueRecord | null> {
    return this.models.issues.findById(tenant, issueId);
  }

  facets(tenant: string, filter: IssueListFilter, keys: readonly string[], limit: number): Promise<Map<string, ValueCount[]>> {
    return asUserInputErrors(() => this.models.lists.facets(tenant, filter, keys, limit));
  }

  async listOccurrences(tenant: string, issueId: string, page: PageRequest, filter: OccurrenceListFilter = {}): Promise<Page<OccurrenceView>> {
    const result = await asUserInputErrors(() => this.models.occurrences.listByIssue(tenant, issueId, page, filter));
    return {
      totalCount: result.totalCount,
      edges: result.rows.map((row) => ({ cursor: encodeCursor('occurrence', { ms: row.timestampMs, id: row.occurrenceId }), node: toView(row) })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
    };
  }

  latestFrames(tenant: string, issueIds: readonly string[]): Promise<Map<string, StackFrame[]>> {
    return this.models.occurrences.latestFramesByIssue(tenant, issueIds);
  }

  async latestOccurrencesOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, OccurrenceView>> {
    return mapValues(await this.models.occurrences.latestByIssues(tenant, issueIds), toView);
  }

  async representativeOccurrencesOf(tenant: string, issueIds: readonly string[], limit: number): Promise<Map<string, OccurrenceView[]>> {
    return mapValues(await this.models.occurrences.representativeByIssues(tenant, issueIds, limit), (rows) => rows.map(summaryView));
  }

  async occurrencesByKeys(tenant: string, keys: readonly OccurrenceKey[]): Promise<Map<string, OccurrenceView>> {
    return mapValues(await this.models.occurrences.byKeys(tenant, keys), toView);
  }

  affectedTracesOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, number>> {
    return this.models.occurrences.affectedTracesByIssues(tenant, issueIds);
  }

  valueDistributionsOf(tenant: string, issueIds: readonly string[], key: string, limit: number): Promise<Map<string, ValueDistribution>> {
    return asUserInputErrors(() => this.models.occurrences.valueCountsByIssues(tenant, issueIds, key, limit));
  }

  occurrenceSeriesOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number, stepMs: number): Promise<Map<string, Map<number, number>>> {
    return this.models.occurrences.seriesByIssues(tenant, issueIds, fromMs, toMs, stepMs);
  }

  hourlyCountsOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, number>>> {
    return this.models.hourlyCounts.countsByIssues(tenant, issueIds, fromMs, toMs);
  }
}

function toView(row: StoredOccurrence): OccurrenceView {
  const { spanId, errorType, errorMessage, stack } = row;
  return { ...summaryView(row), spanId, errorType, errorMessage, stack };
}

/** A summary (no stack, messages or span id): the Occurrence resolvers load those by key if asked. */
function summaryView(row: OccurrenceSummary): OccurrenceView {
  const { issueId, occurrenceId, traceId, traceIdHex, timestampMs, service, env, version, host, container, resource } = row;
  const tags = Object.keys(row.tags)
    .sort()
    .map((key) => ({ key, value: row.tags[key] }));
  return { issueId, occurrenceId, traceId, traceIdHex, timestampMs, service, env, version, host, container, resource, tags };
}

function mapValues<K, V, W>(map: Map<K, V>, transform: (value: V) => W): Map<K, W> {
  return new Map([...map].map(([key, value]) => [key, transform(value)]));
}

/** Errors that are the caller's (a hand-made cursor, an unusable key) as BAD_USER_INPUT; the rest stay internal. */
async function asUserInputErrors<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new GraphQLError('after: invalid pagination cursor', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
    }
    if (error instanceof InvalidOccurrenceKeyError) {
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'key' } });
    }
    throw error;
  }
}
