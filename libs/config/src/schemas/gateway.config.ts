import { z } from 'zod';
import { clickhouseEnv, commonEnv, kafkaEnv, port, redisEnv } from './fragments';

export const gatewayConfigSchema = z.object({
  ...commonEnv,
  ...clickhouseEnv,
  /** Where tenants' grouping rules and in-app patterns are stored (the fingerprinter reads them there). */
  ...redisEnv,
  /** The gateway produces `issue-events` for the status changes and assignments made through its mutations. */
  ...kafkaEnv,
  GATEWAY_PORT: port(4000),
  /** Schema introspection (what GraphQL IDEs and codegen use). Set to false to hide the schema. */
  GATEWAY_INTROSPECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
