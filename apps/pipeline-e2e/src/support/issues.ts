/** Issue look-ups through the gateway's public GraphQL API, shared by the e2e specs. */
import { eventually, graphql } from './graphql-client';

export interface OccurrenceNode {
  spanId: string;
  traceId: string;
  /** The full 128-bit trace id as 32 lowercase hex, the same over both protocols; null when unknown. */
  traceIdHex: string | null;
  timestamp: string;
  service: string;
  env: string | null;
  version: string | null;
  errorType: string;
  errorMessage: string;
  stack: string;
}

export interface IssueNode {
  id: string;
  fingerprint: string;
  service: string;
  env: string | null;
  errorType: string;
  errorMessage: string;
  messageTemplate: string | null;
  status: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  firstVersion: string | null;
  lastVersion: string | null;
  occurrences: { totalCount: number; edges: { node: OccurrenceNode }[] };
}

export interface ServiceIssues {
  totalCount: number;
  nodes: IssueNode[];
}

const ISSUES_QUERY = `query Issues($service: String!) {
  issues(filter: { service: $service }, first: 50) {
    totalCount
    edges { cursor node {
      id fingerprint service env errorType errorMessage messageTemplate status count firstSeen lastSeen firstVersion lastVersion
      occurrences(first: 50) { totalCount edges { node { spanId traceId traceIdHex timestamp service env version errorType errorMessage stack } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The gateway of the stack the e2e global setup brought up. */
export const gatewayUrl = (): string => process.env.FAULTLINE_GATEWAY_URL as string;

/** Every issue of one service (at most 50, each with at most 50 occurrences: plenty for a spec). */
export async function issuesOf(service: string): Promise<ServiceIssues> {
  const data = await graphql<{ issues: { totalCount: number; edges: { node: IssueNode }[] } }>(gatewayUrl(), ISSUES_QUERY, { service });
  return { totalCount: data.issues.totalCount, nodes: data.issues.edges.map((edge) => edge.node) };
}

export function issueOfType(nodes: IssueNode[], errorType: string): IssueNode {
  const issue = nodes.find((node) => node.errorType === errorType);
  if (!issue) throw new Error(`no ${errorType} issue among ${nodes.map((node) => node.errorType).join(', ')}`);
  return issue;
}

/** The 16-hex form of a 64-bit decimal id: the lower half of `traceIdHex` for a Datadog `traceId`. */
export const hex64 = (decimal: string): string => BigInt(decimal).toString(16).padStart(16, '0');

/** Occurrences over all issues. */
export const totalCount = (issues: { nodes: IssueNode[] }): number => issues.nodes.reduce((sum, issue) => sum + issue.count, 0);

/**
 * Waits until `done` holds, then a little longer, and answers what is there then: a pipeline that
 * wrongly counted extra copies (error tags on child spans, resends) has had time to show it.
 */
export async function settledIssuesOf(service: string, done: (issues: ServiceIssues) => boolean, settleMs = 2000): Promise<ServiceIssues> {
  await eventually(() => issuesOf(service), done);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return issuesOf(service);
}
