import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { aggregatorConfigSchema, fingerprinterConfigSchema, gatewayConfigSchema, ingestionConfigSchema, loadConfig } from '@faultline/config';
import { CONSUMER_GROUPS, deadLetterTopicFor, TOPICS } from '@faultline/contracts';
import { HealthModule } from '@faultline/observability';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { createTopicsEnvSchema, migrateEnvSchema } from '../../../infra/src/job-env';
import { TOPIC_SPECS } from '../../../infra/src/topics';
import { envNames, EXTERNAL_SECRET_VALUE, helm, Manifest, named, ofKind, PRODUCTION_VALUES, REPO_ROOT, renderChart, renderNotes, resolveContainerEnv } from './chart-render';

/**
 * The chart against the code it deploys: every container's rendered env parsed with the schema its
 * entrypoint validates at start-up (libs/config, infra/src/job-env.ts), probes on routes and ports
 * the services serve, hook Jobs running the real commands, and every manifest valid for Kubernetes.
 */

/** What each entrypoint the chart may run validates its env with; main.ts files are checked to use exactly these. */
const ENTRYPOINTS: Record<string, { schema: z.ZodObject; source: string; call: string }> = {
  'dist/apps/ingestion/src/main.js': { schema: ingestionConfigSchema, source: 'apps/ingestion/src/main.ts', call: 'loadConfig(ingestionConfigSchema)' },
  'dist/apps/fingerprinter/src/main.js': { schema: fingerprinterConfigSchema, source: 'apps/fingerprinter/src/main.ts', call: 'loadConfig(fingerprinterConfigSchema)' },
  'dist/apps/aggregator/src/main.js': { schema: aggregatorConfigSchema, source: 'apps/aggregator/src/main.ts', call: 'loadConfig(aggregatorConfigSchema)' },
  'dist/apps/gateway/src/main.js': { schema: gatewayConfigSchema, source: 'apps/gateway/src/main.ts', call: 'loadConfig(gatewayConfigSchema)' },
  'dist/infra/src/migrate.js': { schema: migrateEnvSchema, source: 'infra/src/migrate.ts', call: 'loadConfig(migrateEnvSchema)' },
  'dist/infra/src/create-topics.js': { schema: createTopicsEnvSchema, source: 'infra/src/create-topics.ts', call: 'loadConfig(createTopicsEnvSchema)' },
};
const SERVICE_ENTRYPOINTS = Object.keys(ENTRYPOINTS).filter((entry) => entry.startsWith('dist/apps/'));
const HOOK_ENTRYPOINTS = Object.keys(ENTRYPOINTS).filter((entry) => entry.startsWith('dist/infra/'));
/** Set by the chart for Kubernetes' $(REDIS_PASSWORD) expansion into REDIS_URL, read by no service. */
const CHART_HELPER_VARIABLES = new Set(['REDIS_PASSWORD']);

const VALIDATORS: Record<string, { validate(): void; new (data: never): { validate(): void } } | undefined> = {
  'v1/ConfigMap': ConfigMap as never,
  'v1/Secret': Secret as never,
  'v1/Service': Service as never,
  'v1/ServiceAccount': ServiceAccount as never,
  'apps/v1/Deployment': Deployment as never,
  'batch/v1/Job': Job as never,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as never,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as never,
  'networking.k8s.io/v1/Ingress': Ingress as never,
};

function validateAgainstKubernetesSchema(manifest: Manifest): void {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  if (key === 'keda.sh/v1alpha1/ScaledObject') return validateScaledObject(manifest);
  if (key === 'keda.sh/v1alpha1/TriggerAuthentication') return validateTriggerAuthentication(manifest);
  const Model = VALIDATORS[key];
  if (!Model) throw new Error(`${key} ${manifest.metadata.name}: no Kubernetes schema known to this test`);
  try {
    new Model(manifest as never).validate();
  } catch (error) {
    throw new Error(`${key} ${manifest.metadata.name}: ${(error as Error).message}`);
  }
}

/** kubernetes-models has no KEDA CRDs: check the fields KEDA requires (keda.sh/v1alpha1 ScaledObject). */
function validateScaledObject(manifest: Manifest): void {
  expect(manifest.spec.scaleTargetRef.name).toEqual(expect.any(String));
  expect(manifest.spec.triggers.length).toBeGreaterThan(0);
  for (const trigger of manifest.spec.triggers) {
    expect(trigger.type).toBe('kafka');
    for (const value of Object.values(trigger.metadata)) expect(typeof value).toBe('string');
    expect(Object.keys(trigger.metadata)).toEqual(expect.arrayContaining(['bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold']));
  }
}

/** keda.sh/v1alpha1 TriggerAuthentication: each parameter comes from an env var of the target or a Secret key. */
function validateTriggerAuthentication(manifest: Manifest): void {
  for (const source of manifest.spec.env ?? []) expect(source).toEqual({ parameter: expect.any(String), name: expect.any(String) });
  for (const source of manifest.spec.secretTargetRef ?? []) expect(source).toEqual({ parameter: expect.any(String), name: expect.any(String), key: expect.any(String) });
  expect([...(manifest.spec.env ?? []), ...(manifest.spec.secretTargetRef ?? [])].length).toBeGreaterThan(0);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = any;
interface Workload {
  manifest: Manifest;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pod: any;
  container: Container;
  entrypoint: string;
}

function workloads(manifests: Manifest[]): Workload[] {
  return [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'Job')].flatMap((manifest) =>
    manifest.spec.template.spec.containers.map((container: Container) => ({ manifest, pod: manifest.spec.template.spec, container, entrypoint: container.args?.[0] })),
  );
}

/** Parses a container's env with its entrypoint's schema, as the process does at start-up. */
function parseEnvWith(schema: z.ZodObject, workload: Workload, manifests: Manifest[]): Record<string, unknown> {
  const env = resolveContainerEnv(workload.container, manifests);
  try {
    return loadConfig(schema, env) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${workload.manifest.kind} ${workload.manifest.metadata.name} would not start: ${(error as Error).message}`);
  }
}

/** Routes of the health controller every service mounts, read from Nest's route metadata. */
function healthRoutes(): Set<string> {
  const [controller] = HealthModule.forRoot({ metrics: new Registry() }).controllers ?? [];
  const prototype = (controller as { prototype: Record<string, unknown> }).prototype;
  const routes = Object.getOwnPropertyNames(prototype)
    .map((method) => (method === 'constructor' ? undefined : Reflect.getMetadata(PATH_METADATA, prototype[method] as object)))
    .filter((route): route is string => typeof route === 'string');
  return new Set(routes.map((route) => `/${route.replace(/^\//, '')}`));
}

const schemaPortVariables = (schema: z.ZodObject) => Object.keys(schema.shape).filter((key) => key.endsWith('_PORT'));
const allSchemaVariables = new Set(Object.values(ENTRYPOINTS).flatMap(({ schema }) => Object.keys(schema.shape)));

const defaults = renderChart();
const production = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
const renders: [string, Manifest[]][] = [
  ['default values', defaults],
  ['ci/production-values.yaml', production],
];

describe('helm lint', () => {
  it.each([
    ['default values', []],
    ['ci/production-values.yaml', ['-f', PRODUCTION_VALUES]],
  ])('passes with %s (values.schema.json included)', (_label, args) => {
    expect(helm(['lint', '--strict', '.', ...args])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('rejects values the schema does not know (a typo is an error, not a silent no-op)', () => {
    expect(() => helm(['template', 'faultline', '.', '--set', 'components.aggregator.replicas=3'])).toThrow(/replicas/);
    expect(() => helm(['template', 'faultline', '.', '--set', 'kafka.brokers='])).toThrow(/kafka/);
  });
});

describe.each(renders)('helm template with %s', (_label, manifests) => {
  it('renders only objects that are valid against the Kubernetes schemas', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) validateAgainstKubernetesSchema(manifest);
    const names = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('runs the four services and the two hook commands, each entrypoint being one the build compiles', () => {
    const entrypoints = workloads(manifests).map((workload) => workload.entrypoint);
    expect(entrypoints.sort()).toEqual(Object.keys(ENTRYPOINTS).sort());
    const build = readFileSync(path.join(REPO_ROOT, 'tsconfig.build.json'), 'utf8');
    for (const [entrypoint, { source, call }] of Object.entries(ENTRYPOINTS)) {
      // dist/<path>.js is tsc's output for <path>.ts (tsconfig.build.json: rootDir ".", outDir "dist").
      expect(entrypoint).toBe(`dist/${source.replace(/\.ts$/, '.js')}`);
      expect(build).toMatch(/"outDir": "dist"/);
      expect(readFileSync(path.join(REPO_ROOT, source), 'utf8')).toContain(call);
    }
  });

  it("gives every container an env its entrypoint's config schema accepts, pointing at the configured dependencies", () => {
    for (const workload of workloads(manifests)) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, manifests);
      // Nothing may fall back to a schema default meant for the local stack.
      for (const [key, value] of Object.entries(config)) expect([key, String(value)]).not.toEqual([key, expect.stringContaining('127.0.0.1')]);
      if ('HTTP_HOST' in config) expect(config.HTTP_HOST).toBe('0.0.0.0');
    }
  });

  it('sets only variables some entrypoint reads (a misspelt variable would be ignored silently)', () => {
    const extraEnv = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']); // extraEnv of ci/production-values.yaml
    for (const workload of workloads(manifests)) {
      const env = resolveContainerEnv(workload.container, manifests);
      for (const name of Object.keys(env)) {
        if (CHART_HELPER_VARIABLES.has(name) || extraEnv.has(name)) continue;
        expect([workload.manifest.metadata.name, name, allSchemaVariables.has(name)]).toEqual([workload.manifest.metadata.name, name, true]);
      }
    }
  });

  it('probes routes the services serve, on the ports their config makes them listen on', () => {
    const routes = healthRoutes();
    expect(routes).toEqual(new Set(['/health/live', '/health/ready', '/metrics']));
    expect(ofKind(manifests, 'Deployment').map((deployment) => deployment.spec.template.spec.containers[0].args[0]).sort()).toEqual([...SERVICE_ENTRYPOINTS].sort());
    for (const workload of workloads(manifests).filter((w) => w.manifest.kind === 'Deployment')) {
      const { schema } = ENTRYPOINTS[workload.entrypoint];
      const config = parseEnvWith(schema, workload, manifests);
      const listening = new Set(schemaPortVariables(schema).map((variable) => config[variable] as number));
      const containerPorts: { name: string; containerPort: number }[] = workload.container.ports;
      expect(new Set(containerPorts.map((port) => port.containerPort))).toEqual(listening);
      const portOf = (port: string | number) => (typeof port === 'number' ? port : containerPorts.find((candidate) => candidate.name === port)?.containerPort);
      expect(workload.container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(workload.container.readinessProbe.httpGet.path).toBe('/health/ready');
      for (const probe of [workload.container.livenessProbe, workload.container.readinessProbe]) {
        expect(routes.has(probe.httpGet.path)).toBe(true);
        expect(listening.has(portOf(probe.httpGet.port) as number)).toBe(true);
      }
      const annotations = workload.manifest.spec.template.metadata.annotations;
      if (annotations['prometheus.io/scrape']) {
        expect(routes.has(annotations['prometheus.io/path'])).toBe(true);
        expect(listening.has(Number(annotations['prometheus.io/port']))).toBe(true);
      }
    }
  });

  it('restarts pods when configuration changes (checksum/config) and runs them locked down', () => {
    for (const workload of workloads(manifests)) {
      const { pod, container, manifest } = workload;
      if (manifest.kind === 'Deployment') expect(manifest.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(pod.securityContext.runAsNonRoot ?? container.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(container.securityContext.capabilities.drop).toContain('ALL');
      expect(pod.automountServiceAccountToken).toBe(false);
      // The read-only root filesystem leaves /tmp as the one writable place.
      expect(container.volumeMounts).toEqual(expect.arrayContaining([expect.objectContaining({ mountPath: '/tmp' })]));
    }
  });

  it('runs migrations and topic creation as pre-install/pre-upgrade hooks that need nothing the release creates later', () => {
    const jobs = ofKind(manifests, 'Job');
    expect(jobs.map((job) => job.spec.template.spec.containers[0].args[0]).sort()).toEqual([...HOOK_ENTRYPOINTS].sort());
    for (const job of jobs) {
      expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const weight = Number(job.metadata.annotations?.['helm.sh/hook-weight']);
      const container = job.spec.template.spec.containers[0];
      expect(container.envFrom).toBeUndefined();
      for (const variable of container.env) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref) continue;
        // A Secret the chart renders must itself be an earlier hook; otherwise it is an existingSecret.
        const secret = named(manifests, 'Secret', ref.name);
        if (secret) {
          expect(secret.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
          expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(weight);
        }
      }
      // The chart's ServiceAccount is created after the pre-install hooks: a hook must not use it.
      const account = job.spec.template.spec.serviceAccountName;
      if (account) expect(named(manifests, 'ServiceAccount', account)).toBeUndefined();
    }
  });

  it('wires Services, PodDisruptionBudgets, autoscalers and the Ingress to what exists', () => {
    const deployments = ofKind(manifests, 'Deployment');
    const podLabelsMatch = (selector: Record<string, string>) =>
      deployments.filter((deployment) => Object.entries(selector).every(([key, value]) => deployment.spec.template.metadata.labels[key] === value));
    for (const service of ofKind(manifests, 'Service')) {
      const [target] = podLabelsMatch(service.spec.selector);
      expect(podLabelsMatch(service.spec.selector)).toHaveLength(1);
      const names = target.spec.template.spec.containers[0].ports.map((port: { name: string }) => port.name);
      for (const port of service.spec.ports) expect(names).toContain(port.targetPort);
    }
    for (const pdb of ofKind(manifests, 'PodDisruptionBudget')) expect(podLabelsMatch(pdb.spec.selector.matchLabels)).toHaveLength(1);
    const scaled = [...ofKind(manifests, 'HorizontalPodAutoscaler'), ...ofKind(manifests, 'ScaledObject')].map((scaler) => scaler.spec.scaleTargetRef.name);
    expect(new Set(scaled).size).toBe(scaled.length);
    for (const name of scaled) {
      const deployment = named(manifests, 'Deployment', name);
      expect(deployment).toBeDefined();
      expect(deployment?.spec.replicas).toBeUndefined();
    }
    for (const ingress of ofKind(manifests, 'Ingress')) {
      for (const rule of ingress.spec.rules) {
        for (const { backend } of rule.http.paths) {
          const service = named(manifests, 'Service', backend.service.name);
          expect(service?.spec.ports.map((port: { name: string }) => port.name)).toContain(backend.service.port.name);
        }
      }
    }
  });
});

describe('ingestion Service', () => {
  it('exposes the Datadog trace-agent port and the OTLP/HTTP port tracers default to', () => {
    const service = named(defaults, 'Service', 'faultline-ingestion');
    expect(service?.spec.ports.map((port: { port: number; targetPort: string }) => [port.port, port.targetPort])).toEqual([
      [8126, 'datadog'],
      [4318, 'otlp-http'],
    ]);
  });
});

describe('env against the config schemas', () => {
  it('fails when a service gains a required variable the chart does not set', () => {
    const [ingestion] = workloads(defaults).filter((workload) => workload.entrypoint === 'dist/apps/ingestion/src/main.js');
    const extended = ingestionConfigSchema.extend({ INGESTION_NEW_REQUIRED_SETTING: z.string().min(1) });
    expect(() => parseEnvWith(extended, ingestion, defaults)).toThrow(/INGESTION_NEW_REQUIRED_SETTING/);
  });

  it('builds REDIS_URL from the Secret (chart-made or existing) without the password in the manifest', () => {
    const withPassword = renderChart({ set: { 'redis.password': 'hunter2', 'redis.url': 'rediss://redis.data:6380/1' } });
    const aggregator = workloads(withPassword).find((workload) => workload.entrypoint === 'dist/apps/aggregator/src/main.js') as Workload;
    expect(JSON.stringify(named(withPassword, 'Deployment', 'faultline-aggregator'))).not.toContain('hunter2');
    expect(parseEnvWith(aggregatorConfigSchema, aggregator, withPassword).REDIS_URL).toBe('rediss://:hunter2@redis.data:6380/1');
    expect(envNames(aggregator.container).indexOf('REDIS_PASSWORD')).toBeLessThan(envNames(aggregator.container).indexOf('REDIS_URL'));

    const gateway = workloads(production).find((workload) => workload.entrypoint === 'dist/apps/gateway/src/main.js') as Workload;
    const config = parseEnvWith(gatewayConfigSchema, gateway, production);
    expect(config.REDIS_URL).toBe(`rediss://faultline:${EXTERNAL_SECRET_VALUE}@redis-master.data.svc:6380/2`);
    expect(config.CLICKHOUSE_PASSWORD).toBe(EXTERNAL_SECRET_VALUE);
    expect(config.CLICKHOUSE_URL).toBe('https://clickhouse.data.svc:8443');
    expect(config.KAFKA_BROKERS).toHaveLength(3);
  });

  it('passes the ClickHouse password to the migration hook through the hook Secret', () => {
    const rendered = renderChart({ set: { 'clickhouse.password': 'ch-secret' } });
    const migrate = workloads(rendered).find((workload) => workload.entrypoint === 'dist/infra/src/migrate.js') as Workload;
    expect(parseEnvWith(migrateEnvSchema, migrate, rendered).CLICKHOUSE_PASSWORD).toBe('ch-secret');
    const ref = migrate.container.env.find((variable: { name: string }) => variable.name === 'CLICKHOUSE_PASSWORD').valueFrom.secretKeyRef;
    expect(ref.name).toBe('faultline-hooks');
  });

  it('names the ClickHouse cluster to the migrate hook and every ClickHouse client when clickhouse.cluster is set, and to none by default', () => {
    const clickhouseClients = (manifests: Manifest[]) =>
      workloads(manifests).filter((workload) => 'CLICKHOUSE_URL' in ENTRYPOINTS[workload.entrypoint].schema.shape);
    expect(clickhouseClients(production).map((workload) => workload.entrypoint).sort()).toEqual([
      'dist/apps/aggregator/src/main.js',
      'dist/apps/gateway/src/main.js',
      'dist/infra/src/migrate.js',
    ]);
    for (const workload of clickhouseClients(production)) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, production);
      expect([workload.manifest.metadata.name, config.CLICKHOUSE_CLUSTER]).toEqual([workload.manifest.metadata.name, 'faultline']);
    }
    // One server by default: nothing rendered, so existing installs get the same ConfigMap (and no restart).
    for (const workload of clickhouseClients(defaults)) {
      expect(parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, defaults).CLICKHOUSE_CLUSTER).toBeUndefined();
    }
    expect(JSON.stringify(defaults)).not.toContain('CLICKHOUSE_CLUSTER');
    expect(() => renderChart({ set: { 'clickhouse.cluster': "events' OR 1" } })).toThrow(/cluster/);
  });

  it('connects every Kafka client of ci/production-values.yaml with TLS (CA from a mounted Secret) and SASL', () => {
    const kafkaClients = workloads(production).filter((workload) => workload.entrypoint !== 'dist/infra/src/migrate.js');
    expect(kafkaClients).toHaveLength(5); // four services and create-topics
    for (const workload of kafkaClients) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, production);
      expect([workload.manifest.metadata.name, config]).toEqual([
        workload.manifest.metadata.name,
        expect.objectContaining({
          KAFKA_SSL: true,
          KAFKA_SSL_REJECT_UNAUTHORIZED: true,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'faultline',
          KAFKA_SASL_PASSWORD: EXTERNAL_SECRET_VALUE,
        }),
      ]);
      const ref = workload.container.env.find((variable: { name: string }) => variable.name === 'KAFKA_SASL_PASSWORD').valueFrom.secretKeyRef;
      expect(ref).toEqual({ name: 'faultline-credentials', key: 'kafka-password' });
      // KAFKA_SSL_CA_FILE is a file of a volume mounted in this container, holding the Secret's CA key.
      const caFile = config.KAFKA_SSL_CA_FILE as string;
      const mount = (workload.container.volumeMounts as { name: string; mountPath: string }[]).find((candidate) => caFile.startsWith(`${candidate.mountPath}/`));
      expect(mount).toBeDefined();
      const volume = (workload.pod.volumes as { name: string; secret?: { secretName: string; items: { key: string; path: string }[] } }[]).find(
        (candidate) => candidate.name === mount?.name,
      );
      expect(volume?.secret?.secretName).toBe('kafka-cluster-ca');
      expect(volume?.secret?.items).toEqual([{ key: 'ca.pem', path: path.posix.relative(mount?.mountPath as string, caFile) }]);
    }
  });

  it('connects every Redis client of ci/production-values.yaml through Sentinel', () => {
    for (const workload of workloads(production).filter((w) => ['fingerprinter', 'aggregator', 'gateway'].some((name) => w.entrypoint.includes(`/${name}/`)))) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, production);
      expect(config.REDIS_SENTINEL_NAME).toBe('faultline-master');
      expect(config.REDIS_SENTINELS).toEqual([0, 1, 2].map((n) => ({ host: `redis-sentinel-${n}.redis-headless.data.svc`, port: 26379 })));
    }
  });

  it('connects every Redis client to a Redis Cluster with redis.cluster.nodes, with the URL credentials and TLS', () => {
    const nodes = [0, 1, 2].map((n) => `redis-cluster-${n}.redis-cluster-headless.data.svc:6379`);
    const rendered = renderChart({
      set: { 'redis.cluster.nodes': `{${nodes.join(',')}}`, 'redis.url': 'rediss://redis-cluster.data.svc:6379', 'redis.existingSecret': 'redis-credentials' },
    });
    const redisClients = workloads(rendered).filter((w) => ['fingerprinter', 'aggregator', 'gateway'].some((name) => w.entrypoint.includes(`/${name}/`)));
    expect(redisClients).toHaveLength(3);
    for (const workload of redisClients) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, rendered);
      expect(config.REDIS_CLUSTER_NODES).toEqual([0, 1, 2].map((n) => ({ host: `redis-cluster-${n}.redis-cluster-headless.data.svc`, port: 6379 })));
      expect(config.REDIS_SENTINELS).toBeUndefined();
      expect(config.REDIS_URL).toBe(`rediss://:${EXTERNAL_SECRET_VALUE}@redis-cluster.data.svc:6379`);
    }
    // No hook Job talks to Redis, so none gets the Redis settings.
    for (const job of workloads(rendered).filter((w) => w.manifest.kind === 'Job')) expect(envNames(job.container)).not.toContain('REDIS_CLUSTER_NODES');
  });

  it('refuses a Redis Cluster with Sentinel, a database other than 0, or a node without a port', () => {
    const nodes = { 'redis.cluster.nodes': '{redis-cluster-0:6379}' };
    expect(() => renderChart({ set: { ...nodes, 'redis.sentinel.hosts': '{sentinel:26379}', 'redis.sentinel.masterName': 'm' } })).toThrow(/redis: Must not validate/);
    expect(() => renderChart({ set: { ...nodes, 'redis.url': 'redis://redis:6379/2' } })).toThrow(/redis.url: Does not match pattern/);
    expect(renderChart({ set: { ...nodes, 'redis.url': 'redis://redis:6379/0' } })).not.toHaveLength(0);
    expect(() => renderChart({ set: { 'redis.cluster.nodes': '{redis-cluster-0}' } })).toThrow(/redis.cluster.nodes.0/);
  });

  it('stores a SASL password the chart is given in its Secret and the hook Secret, never in a manifest', () => {
    const rendered = renderChart({ set: { 'kafka.sasl.mechanism': 'plain', 'kafka.sasl.username': 'faultline', 'kafka.sasl.password': 'kafka-pw' } });
    for (const workload of workloads(rendered).filter((w) => w.entrypoint !== 'dist/infra/src/migrate.js')) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, rendered);
      expect(config).toMatchObject({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'faultline', KAFKA_SASL_PASSWORD: 'kafka-pw', KAFKA_SSL: false });
      expect(JSON.stringify(workload.manifest)).not.toContain('kafka-pw');
    }
    const topics = workloads(rendered).find((workload) => workload.entrypoint === 'dist/infra/src/create-topics.js') as Workload;
    expect(topics.container.env.find((variable: { name: string }) => variable.name === 'KAFKA_SASL_PASSWORD').valueFrom.secretKeyRef.name).toBe('faultline-hooks');
  });

  it('leaves the defaults plaintext, unauthenticated and standalone', () => {
    for (const workload of workloads(defaults).filter((w) => w.entrypoint !== 'dist/infra/src/migrate.js')) {
      const config = parseEnvWith(ENTRYPOINTS[workload.entrypoint].schema, workload, defaults);
      expect(config).toMatchObject({ KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true });
      expect(config.KAFKA_SASL_MECHANISM ?? config.KAFKA_SSL_CA_FILE ?? config.REDIS_SENTINELS ?? config.REDIS_CLUSTER_NODES).toBeUndefined();
      expect(workload.pod.volumes.map((volume: { name: string }) => volume.name)).toEqual(['tmp']);
    }
  });

  it('refuses incomplete SASL, sentinel and CA settings at render time', () => {
    expect(() => renderChart({ set: { 'kafka.sasl.mechanism': 'plain', 'kafka.sasl.password': 'pw' } })).toThrow(/kafka.sasl.username is required/);
    expect(() => renderChart({ set: { 'kafka.sasl.mechanism': 'plain', 'kafka.sasl.username': 'u' } })).toThrow(/kafka.sasl.password or kafka.sasl.existingSecret/);
    expect(() => renderChart({ set: { 'kafka.sasl.mechanism': 'gssapi' } })).toThrow(/mechanism/);
    expect(() => renderChart({ set: { 'kafka.tls.caSecret': 'ca' } })).toThrow(/kafka.tls.enabled/);
    expect(() => helm(['template', 'faultline', '.', '--set', 'redis.sentinel.hosts={sentinel:26379}'])).toThrow(/redis.sentinel.masterName is required/);
    expect(() => helm(['template', 'faultline', '.', '--set', 'redis.sentinel.hosts={sentinel}', '--set', 'redis.sentinel.masterName=m'])).toThrow(/sentinel/);
    // redis.cluster takes nodes only (additionalProperties: false).
    expect(() => helm(['template', 'faultline', '.', '--set', 'redis.cluster.enabled=true'])).toThrow(/cluster/);
  });

  it('hands the topic hook partition and replication overrides it accepts', () => {
    const topics = workloads(production).find((workload) => workload.entrypoint === 'dist/infra/src/create-topics.js') as Workload;
    const config = parseEnvWith(createTopicsEnvSchema, topics, production);
    expect(config.KAFKA_TOPIC_REPLICATION_FACTOR).toBe(3);
    expect(config.KAFKA_TOPIC_PARTITIONS).toEqual({ 'error-spans': 48, occurrences: 48 });
    const known = TOPIC_SPECS.map((spec) => spec.topic);
    for (const topic of Object.keys(config.KAFKA_TOPIC_PARTITIONS as object)) expect(known).toContain(topic);
  });
});

describe('checksum/config', () => {
  const checksum = (manifests: Manifest[]) => named(manifests, 'Deployment', 'faultline-gateway')?.spec.template.metadata.annotations['checksum/config'];

  it('changes with the ConfigMap and with the chart Secret, so pods restart', () => {
    expect(checksum(renderChart({ set: { 'kafka.brokers': 'other:9092' } }))).not.toBe(checksum(defaults));
    expect(checksum(renderChart({ set: { 'clickhouse.password': 'rotated' } }))).not.toBe(checksum(defaults));
    expect(checksum(renderChart())).toBe(checksum(defaults));
  });
});

describe('KEDA ScaledObjects', () => {
  it("scale each worker on its own consumer group's lag on the topic it consumes", () => {
    const byName = Object.fromEntries(ofKind(production, 'ScaledObject').map((scaled) => [scaled.metadata.name, scaled.spec.triggers[0].metadata]));
    expect(byName).toEqual({
      'faultline-fingerprinter': expect.objectContaining({ topic: TOPICS.errorSpans, consumerGroup: CONSUMER_GROUPS.fingerprinter }),
      'faultline-aggregator': expect.objectContaining({ topic: TOPICS.occurrences, consumerGroup: CONSUMER_GROUPS.aggregator }),
    });
    expect(TOPIC_SPECS.map((spec) => spec.topic)).toContain(deadLetterTopicFor(TOPICS.occurrences));
  });
});

describe('NOTES.txt', () => {
  it('tells how to point dd-trace and OpenTelemetry at the ingestion Service', () => {
    const notes = renderNotes(['--namespace', 'observability']);
    expect(notes).toContain('DD_AGENT_HOST=faultline-ingestion.observability.svc');
    expect(notes).toContain('DD_TRACE_AGENT_PORT=8126');
    expect(notes).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://faultline-ingestion.observability.svc:4318');
  });
});
