import { z } from 'zod';
import { clickhouseEnv, commonEnv, port } from './fragments';

export const gatewayConfigSchema = z.object({
  ...commonEnv,
  ...clickhouseEnv,
  GATEWAY_PORT: port(4000),
  /** Schema introspection (what GraphQL IDEs and codegen use). Set to false to hide the schema. */
  GATEWAY_INTROSPECTION: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
