import { IssueRecord, IssueStatus, StackFrame } from '@faultline/contracts';

export interface IssueListFilter {
  service?: string;
  env?: string;
  statuses: IssueStatus[];
  search?: string;
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

export interface OccurrenceView {
  spanId: string;
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
  errorType: string;
  errorMessage: string;
  stack: string;
}

/** What the resolvers need from storage; the ClickHouse repositories implement it (see issue-reader.adapter.ts). */
export interface IssueReader {
  listIssues(tenant: string, filter: IssueListFilter, page: PageRequest): Promise<Page<IssueRecord>>;
  getIssue(tenant: string, issueId: string): Promise<IssueRecord | null>;
  listOccurrences(tenant: string, issueId: string, page: PageRequest): Promise<Page<OccurrenceView>>;
  /** The frames of each issue's latest occurrence, for a page of issues at once; issues without one are absent. */
  latestFrames(tenant: string, issueIds: readonly string[]): Promise<Map<string, StackFrame[]>>;
}

export const ISSUE_READER = Symbol('ISSUE_READER');
