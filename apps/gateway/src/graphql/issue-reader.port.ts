import { IssueRecord, IssueStatus, StackFrame } from '@faultline/contracts';

/** One `key:value` condition on an occurrence (keys as `tagDistribution` names them). */
export interface TagCondition {
  key: string;
  value: string;
}

/** Which issues a list shows (IssueFilter after validation). */
export interface IssueListFilter {
  service?: string;
  env?: string;
  statuses: IssueStatus[];
  search?: string;
  version?: string;
  /** Occurrences in [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  firstSeenAfterMs?: number;
  tags?: TagCondition[];
}

export type IssueSortField = 'RELEVANCE' | 'COUNT' | 'LAST_SEEN' | 'FIRST_SEEN';
export interface IssueSort {
  field: IssueSortField;
  direction: 'ASC' | 'DESC';
}

/** Conditions on an issue's occurrences (OccurrenceFilter after validation). */
export interface OccurrenceListFilter {
  env?: string;
  version?: string;
  host?: string;
  fromMs?: number;
  toMs?: number;
  tags?: TagCondition[];
}

export interface PageRequest {
  first: number;
  after?: string;
}

export interface Page<T> {
  totalCount: number;
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * An occurrence as the resolvers see it. Summaries (representative occurrences) come without the
 * fields marked optional; the Occurrence resolvers load those by key when a query asks for them.
 */
export interface OccurrenceView {
  issueId: string;
  occurrenceId: string;
  spanId?: string;
  traceId: string;
  /** The full 128-bit trace id as 32 lowercase hex, the same for every protocol; null when unknown. */
  traceIdHex: string | null;
  timestampMs: number;
  service: string;
  env: string | null;
  version: string | null;
  host: string | null;
  container: string | null;
  resource: string | null;
  errorType?: string;
  errorMessage?: string;
  stack?: string;
  /** Sorted by key. */
  tags: { key: string; value: string }[];
}

/** What identifies a stored occurrence for a read by key. */
export interface OccurrenceKey {
  issueId: string;
  occurrenceId: string;
  timestampMs: number;
}

export interface ValueCount {
  value: string;
  count: number;
}

/** How an issue's occurrences spread over one key's values. */
export interface ValueDistribution {
  /** Every occurrence of the issue, with or without the key. */
  total: number;
  /** Most frequent first, at most the requested limit. */
  values: ValueCount[];
}

/**
 * What the resolvers need from ClickHouse; the repositories implement it (issue-reader.adapter.ts).
 * The `...Of` methods take a page of issues at once (the DataLoaders' batches) and leave issues
 * without data out of their maps.
 */
export interface IssueReader {
  /** The matching issues' ids in list order (at most `limit`) and how many match in all. */
  orderedIssueIds(tenant: string, filter: IssueListFilter, sort: IssueSort, nowMs: number, limit: number): Promise<{ ids: string[]; totalCount: number }>;
  /** The issues that exist among `issueIds`, in no particular order. */
  issuesByIds(tenant: string, issueIds: readonly string[]): Promise<IssueRecord[]>;
  getIssue(tenant: string, issueId: string): Promise<IssueRecord | null>;
  /** Per key, the values among the matching issues with how many issues have each. */
  facets(tenant: string, filter: IssueListFilter, keys: readonly string[], limit: number): Promise<Map<string, ValueCount[]>>;
  listOccurrences(tenant: string, issueId: string, page: PageRequest, filter?: OccurrenceListFilter): Promise<Page<OccurrenceView>>;
  /** The frames of each issue's latest occurrence. */
  latestFrames(tenant: string, issueIds: readonly string[]): Promise<Map<string, StackFrame[]>>;
  latestOccurrencesOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, OccurrenceView>>;
  /** Newest occurrence per distinct (version, host), newest first, at most `limit` per issue, as summaries. */
  representativeOccurrencesOf(tenant: string, issueIds: readonly string[], limit: number): Promise<Map<string, OccurrenceView[]>>;
  /** Whole occurrences by key, keyed by occurrence id; unknown ones absent. */
  occurrencesByKeys(tenant: string, keys: readonly OccurrenceKey[]): Promise<Map<string, OccurrenceView>>;
  affectedTracesOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, number>>;
  valueDistributionsOf(tenant: string, issueIds: readonly string[], key: string, limit: number): Promise<Map<string, ValueDistribution>>;
  /** Distinct occurrences per `stepMs` bucket (start ms -> count) in [fromMs, toMs); only non-empty buckets. */
  occurrenceSeriesOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number, stepMs: number): Promise<Map<string, Map<number, number>>>;
  /** Hourly counts (hour start ms -> count) for hours starting in [floor-hour(fromMs), toMs); only non-zero. */
  hourlyCountsOf(tenant: string, issueIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, number>>>;
}

export const ISSUE_READER = Symbol('ISSUE_READER');
