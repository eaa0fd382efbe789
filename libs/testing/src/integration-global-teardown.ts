/** Jest global teardown of the integration tier: stops what integration-global-setup started. */
import './register-source-paths';
import * as fs from 'node:fs';
import { stopDependencies, stopRedisCluster } from '@faultline/local-stack';
import { takeClickHouseCluster, takeIntegrationStack, takeRedisCluster } from './integration-stack-handle';

export default async function integrationGlobalTeardown(): Promise<void> {
  const redisCluster = takeRedisCluster();
  if (redisCluster) await stopRedisCluster(redisCluster, { keepHome: process.env.FAULTLINE_KEEP_TEST_STATE === '1' });
  await takeClickHouseCluster()?.stop({ keepFiles: process.env.FAULTLINE_KEEP_TEST_STATE === '1' });
  const config = takeIntegrationStack();
  if (!config) return;
  await stopDependencies(config, (line) => process.stdout.write(`[integration teardown] ${line}\n`));
  // FAULTLINE_KEEP_TEST_STATE=1 keeps the state dir (logs, ClickHouse data) for a look afterwards.
  if (process.env.FAULTLINE_KEEP_TEST_STATE === '1') process.stdout.write(`[integration teardown] state kept in ${config.home}\n`);
  else fs.rmSync(config.home, { recursive: true, force: true });
}
