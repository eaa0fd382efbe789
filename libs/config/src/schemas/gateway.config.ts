import { z } from 'zod';
import { clickhouseEnv, commonEnv, hourlyCountsEnv, kafkaEnv, kafkaEnvRules, port, positiveInt, redisEnv, redisEnvRules } from './fragments';

export const gatewayConfigSchema = z.object({
  ...commonEnv,
  ...clickhouseEnv,
  /** Where tenants' grouping rules and in-app patterns are stored (the fingerprinter reads them there). */
  ...redisEnv,
  ...hourlyCountsEnv,
  /** The gateway produces `issue-events` for the status changes and assignments made through its mutations. */
  ...kafkaEnv,
  GATEWAY_PORT: port(4000),
  /** Schema introspection (what GraphQL IDEs and codegen use). Set to false to hide the schema. */
  GATEWAY_INTROSPECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Deepest field nesting one operation may have; an issue list with its occurrences (`issues { edges { node { occurrences { edges { node { stack } } } } } }`) is 7. */
  GATEWAY_MAX_QUERY_DEPTH: positiveInt(8),
  /**
   * Largest cost of one operation: 1 per field, times the `first` of every connection it is nested in.
   * The explorer's default list page (25 issues, 5 occurrences each, frames, history) costs about 2 300;
   * 50 issues with 50 full occurrences each (2 500 stacks in one answer) is about 33 600 and is refused.
   */
  GATEWAY_MAX_QUERY_COST: positiveInt(5000),
  /** A GraphQL IDE (Apollo Sandbox, loaded by the browser from Apollo's CDN) at GET /graphql. Turn off where browsers must not reach it. */
  GATEWAY_GRAPHQL_IDE: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Issues an issue-list snapshot holds (the deepest a list can be paged); see Query.issues. */
  GATEWAY_LIST_SNAPSHOT_MAX_ISSUES: positiveInt(10_000),
  /** How long an issue-list snapshot lives after its last page was read. */
  GATEWAY_LIST_SNAPSHOT_TTL_SECONDS: positiveInt(900),
}).check(kafkaEnvRules, redisEnvRules);
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
