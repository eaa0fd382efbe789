import { DEFAULT_TENANT, IssueRecord, IssueStatus } from '@faultline/contracts';
import { DateTimeScalar } from './date-time.scalar';
import { IssueReader, OccurrenceView } from './issue-reader.port';
import { pageRequest } from './pagination';

interface IssueFilterInput {
  service?: string | null;
  env?: string | null;
  status?: IssueStatus[] | null;
  search?: string | null;
}
interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const DEFAULT_STATUSES: IssueStatus[] = ['FOR_REVIEW', 'REVIEWED', 'RESOLVED'];

/** GraphQL field resolvers: argument validation and shape mapping only; storage is behind IssueReader. */
export function buildResolvers(reader: IssueReader) {
  return {
    DateTime: DateTimeScalar,
    Query: {
      issues: (_: unknown, args: PageArgs & { filter?: IssueFilterInput | null }) => {
        const filter = args.filter ?? {};
        return reader.listIssues(
          DEFAULT_TENANT,
          {
            service: filter.service ?? undefined,
            env: filter.env ?? undefined,
            statuses: filter.status && filter.status.length > 0 ? filter.status : DEFAULT_STATUSES,
            search: filter.search?.trim() || undefined,
          },
          pageRequest(args.first, args.after),
        );
      },
      issue: (_: unknown, args: { id: string }) => reader.getIssue(DEFAULT_TENANT, args.id),
    },
    Issue: {
      id: (issue: IssueRecord) => issue.issueId,
      firstSeen: (issue: IssueRecord) => issue.firstSeenMs,
      lastSeen: (issue: IssueRecord) => issue.lastSeenMs,
      occurrences: (issue: IssueRecord, args: PageArgs) =>
        reader.listOccurrences(issue.tenant, issue.issueId, pageRequest(args.first, args.after)),
    },
    Occurrence: {
      timestamp: (occurrence: OccurrenceView) => occurrence.timestampMs,
    },
  };
}
