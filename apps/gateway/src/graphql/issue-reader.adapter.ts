import { encodeCursor, InvalidCursorError, IssueRepository, OccurrenceRepository, StoredOccurrence } from '@faultline/clickhouse';
import { IssueRecord, StackFrame } from '@faultline/contracts';
import { GraphQLError } from 'graphql';
import { IssueListFilter, IssueReader, OccurrenceView, Page, PageRequest } from './issue-reader.port';

/** IssueReader over the ClickHouse repositories: issue list and detail from the projection, occurrences from the event table. */
export class ClickHouseIssueReader implements IssueReader {
  constructor(
    private readonly issues: IssueRepository,
    private readonly occurrences: OccurrenceRepository,
  ) {}

  async listIssues(tenant: string, filter: IssueListFilter, page: PageRequest): Promise<Page<IssueRecord>> {
    const result = await asUserInputErrors(() => this.issues.list(tenant, filter, page));
    return {
      totalCount: result.totalCount,
      edges: result.records.map((record) => ({ cursor: encodeCursor('issue', { ms: record.lastSeenMs, id: record.issueId }), node: record })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
    };
  }

  getIssue(tenant: string, issueId: string): Promise<IssueRecord | null> {
    return this.issues.findById(tenant, issueId);
  }

  async listOccurrences(tenant: string, issueId: string, page: PageRequest): Promise<Page<OccurrenceView>> {
    const result = await asUserInputErrors(() => this.occurrences.listByIssue(tenant, issueId, page));
    return {
      totalCount: result.totalCount,
      edges: result.rows.map((row) => ({ cursor: encodeCursor('occurrence', { ms: row.timestampMs, id: row.occurrenceId }), node: toView(row) })),
      pageInfo: { hasNextPage: result.hasNextPage, endCursor: result.endCursor },
    };
  }

  latestFrames(tenant: string, issueIds: readonly string[]): Promise<Map<string, StackFrame[]>> {
    return this.occurrences.latestFramesByIssue(tenant, issueIds);
  }
}

function toView(row: StoredOccurrence): OccurrenceView {
  const { spanId, traceId, traceIdHex, timestampMs, service, env, version, host, container, resource, errorType, errorMessage, stack } = row;
  return { spanId, traceId, traceIdHex, timestampMs, service, env, version, host, container, resource, errorType, errorMessage, stack };
}

async function asUserInputErrors<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new GraphQLError('after: invalid pagination cursor', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
    }
    throw error;
  }
}
