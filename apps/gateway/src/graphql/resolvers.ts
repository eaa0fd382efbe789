import { DEFAULT_TENANT, IssueRecord, IssueStatus } from '@faultline/contracts';
import { DateTimeScalar } from './date-time.scalar';
import { GroupingConfigAdmin } from './grouping-config.port';
import { buildGroupingConfigResolvers } from './grouping-config.resolvers';
import { IssueReader, OccurrenceView } from './issue-reader.port';
import { pageRequest } from './pagination';
import { GatewayContext } from './request-context';

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

/**
 * GraphQL field resolvers: argument validation and shape mapping only; storage is behind IssueReader
 * and GroupingConfigAdmin.
 */
export function buildResolvers(reader: IssueReader, groupingConfig: GroupingConfigAdmin) {
  const grouping = buildGroupingConfigResolvers(groupingConfig);
  return {
    DateTime: DateTimeScalar,
    Query: {
      ...grouping.Query,
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
      frames: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.latestFrames.load({ tenant: issue.tenant, issueId: issue.issueId }),
    },
    Mutation: grouping.Mutation,
    GroupingRule: grouping.GroupingRule,
    Occurrence: {
      timestamp: (occurrence: OccurrenceView) => occurrence.timestampMs,
    },
  };
}
