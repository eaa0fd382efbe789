import { DEFAULT_TENANT, IssueRecord } from '@faultline/contracts';
import { GraphQLError } from 'graphql';
import { parseInterval, SeriesArgumentError, seriesLayout } from '../issue-detail/count-series';
import { SeriesPoint } from '../issue-detail/count-series.loader';
import { ExpiredListCursorError, ForeignListCursorError, InvalidListCursorError, IssueListService } from '../issue-list/issue-list.service';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { DateTimeScalar } from './date-time.scalar';
import { GroupingConfigAdmin } from './grouping-config.port';
import { buildGroupingConfigResolvers } from './grouping-config.resolvers';
import { IssueReader, OccurrenceView, ValueCount } from './issue-reader.port';
import { buildIssueWorkflowResolvers } from './issue-workflow.resolvers';
import {
  badInput,
  boundedInt,
  facetKeys,
  IssueFilterInput,
  issueListFilter,
  issueSort,
  IssueSortInput,
  OccurrenceFilterInput,
  occurrenceListFilter,
} from './list-inputs';
import { pageRequest } from './pagination';
import { GatewayContext } from './request-context';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** What the resolvers work with; `now` is replaceable so specs can pin the `isNew` window. */
export interface GatewayServices {
  reader: IssueReader;
  lists: IssueListService;
  groupingConfig: GroupingConfigAdmin;
  workflow: IssueWorkflow;
  now?: () => number;
}

export const MAX_DISTRIBUTION_VALUES = 100;
export const MAX_REPRESENTATIVE_OCCURRENCES = 50;
export const MAX_FACET_VALUES = 100;

/**
 * GraphQL field resolvers: argument validation and shape mapping only; storage is behind IssueReader
 * (and the request's loaders), the IssueListService, GroupingConfigAdmin and the IssueWorkflow.
 */
export function buildResolvers({ reader, lists, groupingConfig, workflow, now }: GatewayServices) {
  const grouping = buildGroupingConfigResolvers(groupingConfig);
  const triage = buildIssueWorkflowResolvers(workflow, now);
  const key = (issue: IssueRecord) => ({ tenant: issue.tenant, issueId: issue.issueId });
  return {
    DateTime: DateTimeScalar,
    Query: {
      ...grouping.Query,
      issues: (_: unknown, args: PageArgs & { filter?: IssueFilterInput | null; sort?: IssueSortInput | null }) =>
        asListErrors(() => lists.list(DEFAULT_TENANT, issueListFilter(args.filter), issueSort(args.sort), pageRequest(args.first, args.after))),
      issue: (_: unknown, args: { id: string }) => reader.getIssue(DEFAULT_TENANT, args.id),
      facets: async (_: unknown, args: { keys: string[]; filter?: IssueFilterInput | null; limit?: number | null }) => {
        const keys = facetKeys(args.keys);
        const limit = boundedInt(args.limit, 10, 1, MAX_FACET_VALUES, 'limit');
        const facets = await reader.facets(DEFAULT_TENANT, issueListFilter(args.filter), keys, limit);
        return keys.map((facetKey) => ({ key: facetKey, values: facets.get(facetKey) ?? ([] as ValueCount[]) }));
      },
    },
    Issue: {
      ...triage.Issue,
      id: (issue: IssueRecord) => issue.issueId,
      firstSeen: (issue: IssueRecord) => issue.firstSeenMs,
      lastSeen: (issue: IssueRecord) => issue.lastSeenMs,
      occurrences: (issue: IssueRecord, args: PageArgs & { filter?: OccurrenceFilterInput | null }) =>
        reader.listOccurrences(issue.tenant, issue.issueId, pageRequest(args.first, args.after), occurrenceListFilter(args.filter)),
      frames: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.latestFrames.load(key(issue)),
      latestOccurrence: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.latestOccurrence.load(key(issue)),
      affectedTraces: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.affectedTraces.load(key(issue)),
      representativeOccurrences: (issue: IssueRecord, args: { limit?: number | null }, context: GatewayContext) =>
        context.representativeOccurrences.load({ ...key(issue), args: { limit: boundedInt(args.limit, 10, 1, MAX_REPRESENTATIVE_OCCURRENCES, 'limit') } }),
      tagDistribution: async (issue: IssueRecord, args: { key: string; limit?: number | null }, context: GatewayContext) => {
        if (args.key.trim() === '' || args.key.length > 200) throw badInput('key', '1 to 200 characters');
        const limit = boundedInt(args.limit, 10, 1, MAX_DISTRIBUTION_VALUES, 'limit');
        const { values } = await context.valueDistribution.load({ ...key(issue), args: { key: args.key, limit } });
        // Of every occurrence of the issue, so values of a key not every occurrence has sum to less than 100.
        return values.map(({ value, count }) => ({ value, count, percentage: issue.count > 0 ? Math.round((count / issue.count) * 10_000) / 100 : 0 }));
      },
      countSeries: async (issue: IssueRecord, args: { from: number; to: number; interval: string }, context: GatewayContext) => {
        const stepMs = asSeriesErrors(() => {
          const step = parseInterval(args.interval);
          seriesLayout(args.from, args.to, step); // validates the range before any read
          return step;
        });
        const points: SeriesPoint[] = await context.countSeries.load({ ...key(issue), args: { fromMs: args.from, toMs: args.to, stepMs } });
        return points;
      },
    },
    SeriesPoint: {
      at: (point: SeriesPoint) => point.atMs,
    },
    IssueChange: triage.IssueChange,
    Mutation: { ...grouping.Mutation, ...triage.Mutation },
    GroupingRule: grouping.GroupingRule,
    Occurrence: {
      timestamp: (occurrence: OccurrenceView) => occurrence.timestampMs,
      spanId: (occurrence: OccurrenceView, _: unknown, context: GatewayContext) => whole(occurrence, context, 'spanId'),
      errorType: (occurrence: OccurrenceView, _: unknown, context: GatewayContext) => whole(occurrence, context, 'errorType'),
      errorMessage: (occurrence: OccurrenceView, _: unknown, context: GatewayContext) => whole(occurrence, context, 'errorMessage'),
      stack: (occurrence: OccurrenceView, _: unknown, context: GatewayContext) => whole(occurrence, context, 'stack'),
    },
  };
}

/** A field a summary leaves out, loaded with the whole occurrence (batched per request). */
async function whole(occurrence: OccurrenceView, context: GatewayContext, field: 'spanId' | 'errorType' | 'errorMessage' | 'stack'): Promise<string> {
  const value = occurrence[field];
  if (value !== undefined) return value;
  const loaded = await context.occurrenceDetail.load({ tenant: DEFAULT_TENANT, issueId: occurrence.issueId, occurrenceId: occurrence.occurrenceId, timestampMs: occurrence.timestampMs });
  // Summaries come from stored rows, so the whole row exists; '' only if it vanished meanwhile.
  return loaded?.[field] ?? '';
}

function asSeriesErrors<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof SeriesArgumentError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName: error.argumentName } });
    throw error;
  }
}

/** Cursor problems are the caller's: BAD_USER_INPUT naming `after`. */
async function asListErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof InvalidListCursorError || error instanceof ExpiredListCursorError || error instanceof ForeignListCursorError) {
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
    }
    throw error;
  }
}
