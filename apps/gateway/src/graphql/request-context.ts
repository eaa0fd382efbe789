import { IssueChange, StackFrame } from '@faultline/contracts';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { IssueReader } from './issue-reader.port';

export interface IssueKey {
  tenant: string;
  issueId: string;
}

/** Where an issue's history is read from (the workflow's state store). */
export interface IssueHistorySource {
  history(tenant: string, issueId: string): Promise<IssueChange[]>;
}

/**
 * Who a mutation is recorded as. Authentication is not implemented yet: the caller names itself in
 * this header (a proxy in front of the gateway may set it), and anything is believed.
 */
export const ACTOR_HEADER = 'x-faultline-actor';
export const ANONYMOUS_ACTOR = 'anonymous';
export const MAX_ACTOR_LENGTH = 128;

/**
 * Per-request state of the resolvers. Loaders live for one request only, so nothing is cached across
 * requests and every request sees fresh data.
 */
export interface GatewayContext {
  /** Frames of an issue's latest occurrence; a page of issues asking for `frames` costs one query. */
  latestFrames: DataLoader<IssueKey, StackFrame[], string>;
  /**
   * An issue's history. The store reads one issue per call, so a page costs one Redis call per issue,
   * all in flight together; the loader only removes repeats within the request.
   */
  history: DataLoader<IssueKey, IssueChange[], string>;
  /** The raw actor header; mutations validate it with actorOf (queries never need it). */
  actorHeader: string | string[] | undefined;
}

const cacheKeyFn = (key: IssueKey) => `${key.tenant}\u0000${key.issueId}`;

export function createRequestContext(reader: IssueReader, historySource: IssueHistorySource, actorHeader?: string | string[]): GatewayContext {
  return {
    latestFrames: new DataLoader<IssueKey, StackFrame[], string>((keys) => loadLatestFrames(reader, keys), { cacheKeyFn }),
    history: new DataLoader<IssueKey, IssueChange[], string>(
      (keys) => Promise.all(keys.map(({ tenant, issueId }) => historySource.history(tenant, issueId))),
      { cacheKeyFn },
    ),
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

async function loadLatestFrames(reader: IssueReader, keys: readonly IssueKey[]): Promise<StackFrame[][]> {
  const idsByTenant = new Map<string, string[]>();
  for (const { tenant, issueId } of keys) idsByTenant.set(tenant, [...(idsByTenant.get(tenant) ?? []), issueId]);
  const framesByTenant = new Map(
    await Promise.all([...idsByTenant].map(async ([tenant, issueIds]) => [tenant, await reader.latestFrames(tenant, issueIds)] as const)),
  );
  // An issue is written after its first occurrence, so a missing entry is only a race with a very new issue.
  return keys.map(({ tenant, issueId }) => framesByTenant.get(tenant)?.get(issueId) ?? []);
}
