import type { QueryLimits } from './graphql/query-limits';

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
export interface GatewayOptions {
  introspection: boolean;
  /** Depth and cost limits of one operation (GATEWAY_MAX_QUERY_DEPTH, GATEWAY_MAX_QUERY_COST). */
  limits: QueryLimits;
  /** Serve a GraphQL IDE (Apollo Sandbox) on GET /graphql from a browser (GATEWAY_GRAPHQL_IDE). */
  ide: boolean;
}

/** The IssueListService the resolvers page lists with. */
export const ISSUE_LIST = Symbol('ISSUE_LIST');
/** The CountSeriesSource of Issue.countSeries. */
export const COUNT_SERIES = Symbol('COUNT_SERIES');
/** Redis's tracked value counts (IssueStateStore) for Issue.tagDistribution. */
export const TRACKED_VALUES = Symbol('TRACKED_VALUES');
