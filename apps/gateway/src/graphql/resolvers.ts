import { DEFAULT_TENANT, IssueRecord } from '@faultline/contracts';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { DateTimeScalar } from './date-time.scalar';
import { GroupingConfigAdmin } from './grouping-config.port';
import { buildGroupingConfigResolvers } from './grouping-config.resolvers';
import { IssueReader, OccurrenceView } from './issue-reader.port';
import { buildIssueWorkflowResolvers, IssueFilterInput, issueListFilter } from './issue-workflow.resolvers';
import { pageRequest } from './pagination';
import { GatewayContext } from './request-context';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** What the resolvers work with; `now` is replaceable so specs can pin the `isNew` window. */
export interface GatewayServices {
  reader: IssueReader;
  groupingConfig: GroupingConfigAdmin;
  workflow: IssueWorkflow;
  now?: () => number;
}

/**
 * GraphQL field resolvers: argument validation and shape mapping only; storage is behind IssueReader,
 * GroupingConfigAdmin and the IssueWorkflow.
 */
export function buildResolvers({ reader, groupingConfig, workflow, now }: GatewayServices) {
  const grouping = buildGroupingConfigResolvers(groupingConfig);
  const triage = buildIssueWorkflowResolvers(workflow, now);
  return {
    DateTime: DateTimeScalar,
    Query: {
      ...grouping.Query,
      issues: (_: unknown, args: PageArgs & { filter?: IssueFilterInput | null }) =>
        reader.listIssues(DEFAULT_TENANT, issueListFilter(args.filter), pageRequest(args.first, args.after)),
      issue: (_: unknown, args: { id: string }) => reader.getIssue(DEFAULT_TENANT, args.id),
    },
    Issue: {
      ...triage.Issue,
      id: (issue: IssueRecord) => issue.issueId,
      firstSeen: (issue: IssueRecord) => issue.firstSeenMs,
      lastSeen: (issue: IssueRecord) => issue.lastSeenMs,
      occurrences: (issue: IssueRecord, args: PageArgs) =>
        reader.listOccurrences(issue.tenant, issue.issueId, pageRequest(args.first, args.after)),
      frames: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.latestFrames.load({ tenant: issue.tenant, issueId: issue.issueId }),
    },
    IssueChange: triage.IssueChange,
    Mutation: { ...grouping.Mutation, ...triage.Mutation },
    GroupingRule: grouping.GroupingRule,
    Occurrence: {
      timestamp: (occurrence: OccurrenceView) => occurrence.timestampMs,
    },
  };
}
