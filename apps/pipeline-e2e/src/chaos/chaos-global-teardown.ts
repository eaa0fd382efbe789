/** Jest global teardown of the chaos group: `down` for its stack (logs stay in .faultline/chaos/logs). */
import { runStackCli } from '../support/global-setup';
import { chaosStackEnv } from './chaos-global-setup';

export default async function chaosGlobalTeardown(): Promise<void> {
  await runStackCli('down', chaosStackEnv());
}
