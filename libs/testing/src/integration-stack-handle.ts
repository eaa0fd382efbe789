import type { LocalStackConfig } from '@faultline/local-stack';

/*
 * Jest runs globalSetup and globalTeardown in the same process, and globals set by the one are
 * visible to the other (and to no test). The integration stack's config travels that way.
 */
const KEY = Symbol.for('faultline.integration-stack');

type WithHandle = typeof globalThis & { [KEY]?: LocalStackConfig };

export function rememberIntegrationStack(config: LocalStackConfig): void {
  (globalThis as WithHandle)[KEY] = config;
}

export function takeIntegrationStack(): LocalStackConfig | undefined {
  const config = (globalThis as WithHandle)[KEY];
  delete (globalThis as WithHandle)[KEY];
  return config;
}
