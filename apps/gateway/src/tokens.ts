import type { QueryLimits } from './graphql/query-limits';

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
export interface GatewayOptions {
  introspection: boolean;
  /** Depth and cost limits of one operation (GATEWAY_MAX_QUERY_DEPTH, GATEWAY_MAX_QUERY_COST). */
  limits: QueryLimits;
}
