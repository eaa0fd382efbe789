import { StackFrame } from '@faultline/contracts';
import DataLoader from 'dataloader';
import { IssueReader } from './issue-reader.port';

export interface IssueKey {
  tenant: string;
  issueId: string;
}

/**
 * Per-request state of the resolvers. Loaders live for one request only, so nothing is cached across
 * requests and every request sees fresh data.
 */
export interface GatewayContext {
  /** Frames of an issue's latest occurrence; a page of issues asking for `frames` costs one query. */
  latestFrames: DataLoader<IssueKey, StackFrame[], string>;
}

export function createRequestContext(reader: IssueReader): GatewayContext {
  return {
    latestFrames: new DataLoader<IssueKey, StackFrame[], string>((keys) => loadLatestFrames(reader, keys), {
      cacheKeyFn: (key) => `${key.tenant}\u0000${key.issueId}`,
    }),
  };
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
