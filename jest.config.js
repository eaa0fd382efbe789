// Three tiers, each with its own suffix (see shared STYLE.md): pure unit specs, integration specs
// against real Redis/ClickHouse/Kafka started once per run, and end-to-end specs against the running stack.
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = { rootDir: __dirname, testEnvironment: 'node', moduleNameMapper, transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    // helm/: the chart specs (helm lint/template, manifests against the Kubernetes and config schemas).
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,infra,helm}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,infra}/**/*.integration-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/integration-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/integration-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/integration-timeout.setup.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/pipeline-e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/apps/pipeline-e2e/src/support/global-setup.ts',
      globalTeardown: '<rootDir>/apps/pipeline-e2e/src/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/apps/pipeline-e2e/src/support/e2e-timeout.setup.ts'],
    },
    // Faults (issue 6): kills and stops processes of a stack of its own (.faultline/chaos, other ports).
    {
      ...common,
      displayName: 'chaos',
      testMatch: ['<rootDir>/apps/pipeline-e2e/**/*.chaos-spec.ts'],
      globalSetup: '<rootDir>/apps/pipeline-e2e/src/chaos/chaos-global-setup.ts',
      globalTeardown: '<rootDir>/apps/pipeline-e2e/src/chaos/chaos-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/apps/pipeline-e2e/src/chaos/chaos-timeout.setup.ts'],
    },
  ],
};
