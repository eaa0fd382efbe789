import nx from '@nx/eslint-plugin';

// Client libraries of the real dependencies stay inside their adapter libs, so the domain and the
// apps never grow a hidden coupling to Kafka, ClickHouse or Redis.
const adapterOnlyImports = [
  { name: 'kafkajs', message: 'Use @faultline/kafka.' },
  { name: '@clickhouse/client', message: 'Use @faultline/clickhouse.' },
  { name: 'ioredis', message: 'Use @faultline/redis.' },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '.faultline/**', '.nx/**', 'infra/runtime/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:adapter', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:adapter', 'type:contracts', 'type:util', 'type:domain'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:tooling', 'type:adapter', 'type:contracts', 'type:util', 'type:domain'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:tooling', 'type:contracts', 'type:util', 'type:domain', 'type:adapter'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/domain/**/*.ts', 'libs/intake/**/*.ts', 'libs/contracts/**/*.ts', 'libs/config/**/*.ts', 'libs/observability/**/*.ts'],
    ignores: ['apps/pipeline-e2e/**'],
    rules: { 'no-restricted-imports': ['error', { paths: adapterOnlyImports }] },
  },
  {
    // Only the config lib reads the environment; everything else receives validated config.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['apps/pipeline-e2e/**', 'libs/config/**', '**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'libs/testing/**'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @faultline/config.' }] },
  },
];
