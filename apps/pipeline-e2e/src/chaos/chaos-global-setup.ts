/**
 * Jest global setup of the chaos group: like the e2e tier's, the whole stack brought up by the real
 * `up` CLI from empty state, but in its own state dir (`.faultline/chaos`) and on its own ports, because
 * the chaos specs stop and kill its processes (pid files in `.faultline/chaos/pids/`). Exposes the same
 * variables as the e2e setup (FAULTLINE_INGESTION_URL, FAULTLINE_GATEWAY_URL, CLICKHOUSE_URL, ...) plus
 * FAULTLINE_HOME of that stack. Needs dist/ (`npm run build`). No @faultline/* imports here: jest does not
 * apply moduleNameMapper to global setup modules.
 */
import * as path from 'node:path';
import { startFreshStack, stackEndpoints } from '../support/global-setup';

const repoRoot = path.resolve(__dirname, '../../../..');
const home = path.join(repoRoot, '.faultline', 'chaos');

/**
 * Ports apart from the dev stack's (8126, 4318, 4000, 8127, 8128, 16379, 18123, 19000), the e2e tier's
 * (2xxxx) and the benchmark's (3xxxx).
 */
export function chaosStackEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FAULTLINE_HOME: home,
    FAULTLINE_REDIS_PERSISTENCE: 'false',
    INGESTION_PORT: '22126',
    INGESTION_OTLP_PORT: '22318',
    GATEWAY_PORT: '22000',
    FINGERPRINTER_PORT: '22127',
    AGGREGATOR_PORT: '22128',
    FAULTLINE_REDIS_PORT: '22379',
    FAULTLINE_CLICKHOUSE_HTTP_PORT: '22123',
    FAULTLINE_CLICKHOUSE_TCP_PORT: '22900',
    CLICKHOUSE_DATABASE: 'faultline',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
}

export default async function chaosGlobalSetup(): Promise<void> {
  const env = chaosStackEnv();
  await startFreshStack(env);
  Object.assign(process.env, stackEndpoints(env));
}
