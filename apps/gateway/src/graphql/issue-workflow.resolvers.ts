import { DEFAULT_TENANT, IssueChange, IssueRecord, IssueStatus } from '@faultline/contracts';
import { GraphQLError } from 'graphql';
import { IssueNotFoundError, IssueWorkflow, TooManyIssuesError } from '../issue-workflow/issue-workflow.service';
import { IssueFilterInput, issueListFilter } from './list-inputs';
import { actorOf, GatewayContext } from './request-context';

/** How long an issue counts as new (the `isNew` badge), if nobody triaged it yet. */
export const NEW_ISSUE_WINDOW_MS = 48 * 60 * 60 * 1000;
export const MAX_ASSIGNEE_LENGTH = 128;

/** Trimmed; null unassigns. A blank name is refused rather than taken as "unassign", which has its own spelling. */
export function assigneeArgument(assignee: string | null | undefined): string | null {
  if (assignee === null || assignee === undefined) return null;
  const trimmed = assignee.trim();
  if (trimmed === '' || trimmed.length > MAX_ASSIGNEE_LENGTH) {
    throw new GraphQLError(`assignee: 1 to ${MAX_ASSIGNEE_LENGTH} characters after trimming, or null to unassign`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'assignee' },
    });
  }
  return trimmed;
}

/** The triage mutations and the Issue fields they feed; everything is the default tenant's, as the rest of the API. */
export function buildIssueWorkflowResolvers(workflow: IssueWorkflow, now: () => number = Date.now) {
  return {
    Mutation: {
      updateIssueStatus: (_: unknown, args: { id: string; status: IssueStatus }, context: GatewayContext) => {
        const actor = actorOf(context);
        return asGraphqlErrors(() => workflow.updateStatus(DEFAULT_TENANT, args.id, args.status, actor));
      },
      updateIssueStatuses: (_: unknown, args: { filter: IssueFilterInput; status: IssueStatus }, context: GatewayContext) => {
        const actor = actorOf(context);
        return asGraphqlErrors(() => workflow.updateStatuses(DEFAULT_TENANT, issueListFilter(args.filter), args.status, actor));
      },
      assignIssue: (_: unknown, args: { id: string; assignee?: string | null }, context: GatewayContext) => {
        const actor = actorOf(context);
        const assignee = assigneeArgument(args.assignee);
        return asGraphqlErrors(() => workflow.assign(DEFAULT_TENANT, args.id, assignee, actor));
      },
    },
    Issue: {
      // Records written before these fields existed lack them.
      regression: (issue: IssueRecord) => issue.regression ?? false,
      assignee: (issue: IssueRecord) => issue.assignee ?? null,
      isNew: (issue: IssueRecord) => issue.status === 'FOR_REVIEW' && now() - issue.firstSeenMs < NEW_ISSUE_WINDOW_MS,
      history: (issue: IssueRecord, _: unknown, context: GatewayContext) => context.history.load({ tenant: issue.tenant, issueId: issue.issueId }),
    },
    IssueChange: {
      at: (change: IssueChange) => change.atMs,
      assignee: (change: IssueChange) => change.assignee ?? null,
      reason: (change: IssueChange) => change.reason ?? null,
    },
  };
}

/** The workflow's refusals are the caller's: NOT_FOUND and BAD_USER_INPUT. Anything else (Redis down) stays internal. */
async function asGraphqlErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof IssueNotFoundError) {
      throw new GraphQLError(error.message, { extensions: { code: 'NOT_FOUND', argumentName: 'id', id: error.issueId } });
    }
    if (error instanceof TooManyIssuesError) {
      throw new GraphQLError(`filter: ${error.message}`, {
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter', matching: error.matching, cap: error.cap },
      });
    }
    throw error;
  }
}
