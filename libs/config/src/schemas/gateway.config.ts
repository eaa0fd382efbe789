import { z } from 'zod';
import { clickhouseEnv, commonEnv, port, redisEnv } from './fragments';

export const gatewayConfigSchema = z.object({
  ...commonEnv,
  ...clickhouseEnv,
  ...redisEnv,
  GATEWAY_PORT: port(4000),
  /** Introspection and the GraphQL IDE page; off in production unless asked for. */
  GATEWAY_INTROSPECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
