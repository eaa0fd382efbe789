/** Jest global teardown of the e2e tier: `down` for the stack global-setup brought up (logs stay in .faultline/e2e). */
import { e2eStackEnv, runStackCli } from './global-setup';

export default async function e2eGlobalTeardown(): Promise<void> {
  await runStackCli('down', e2eStackEnv());
}
