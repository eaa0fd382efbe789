import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { Manifest, named, ofKind, PRODUCTION_VALUES, renderChart, resolveContainerEnv } from './chart-render';

const KEDA_ON = { components: { fingerprinter: { keda: { enabled: true } }, aggregator: { keda: { enabled: true } } } };

/** Renders with `values` as a values file (typed: booleans stay booleans for the schema). */
function renderWith(values: object): Manifest[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-keda-'));
  try {
    const file = path.join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    return renderChart({ valuesFiles: [file] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function triggerOf(manifests: Manifest[], component: string) {
  const scaled = named(manifests, 'ScaledObject', `faultline-${component}`);
  if (!scaled) throw new Error(`no ScaledObject for ${component}`);
  return scaled.spec.triggers[0];
}

/** The worker's container environment, which KEDA's `env` sources read. */
function workerEnv(manifests: Manifest[], component: string): Record<string, string> {
  const deployment = named(manifests, 'Deployment', `faultline-${component}`);
  if (!deployment) throw new Error(`no Deployment for ${component}`);
  return resolveContainerEnv(deployment.spec.template.spec.containers[0], manifests);
}

describe('KEDA lag scaling against a secured Kafka', () => {
  it('connects the scaler as the workers connect: TLS with their CA, SASL with their user and password', () => {
    const manifests = renderChart({ valuesFiles: [PRODUCTION_VALUES] });
    const [auth] = ofKind(manifests, 'TriggerAuthentication');
    expect(auth.metadata.name).toBe('faultline-kafka');
    for (const component of ['fingerprinter', 'aggregator']) {
      const trigger = triggerOf(manifests, component);
      expect(trigger.metadata).toMatchObject({ tls: 'enable', sasl: 'scram_sha512' });
      expect(trigger.metadata).not.toHaveProperty('unsafeSsl');
      expect(trigger.authenticationRef).toEqual({ name: 'faultline-kafka' });
      // Every env source names a variable the worker really has, with the value the worker uses.
      const env = workerEnv(manifests, component);
      const byParameter = Object.fromEntries(auth.spec.env.map((source: { parameter: string; name: string }) => [source.parameter, env[source.name]]));
      expect(byParameter).toEqual({ username: 'faultline', password: 'external-secret-value' });
    }
    // The CA the workers mount (kafka.tls.caSecret / caSecretKey of the production values).
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'ca', name: 'kafka-cluster-ca', key: 'ca.pem' }]);
  });

  it.each([
    ['plain', 'plaintext'],
    ['scram-sha-256', 'scram_sha256'],
    ['scram-sha-512', 'scram_sha512'],
  ])('maps SASL mechanism %s to KEDA\'s %s', (mechanism, keda) => {
    const manifests = renderWith({ ...KEDA_ON, kafka: { sasl: { mechanism, username: 'u', password: 'p' } } });
    const trigger = triggerOf(manifests, 'aggregator');
    expect(trigger.metadata.sasl).toBe(keda);
    expect(trigger.metadata).not.toHaveProperty('tls');
    const [auth] = ofKind(manifests, 'TriggerAuthentication');
    const env = workerEnv(manifests, 'aggregator');
    expect(auth.spec.env.map((source: { parameter: string; name: string }) => [source.parameter, env[source.name]])).toEqual([
      ['username', 'u'],
      ['password', 'p'],
    ]);
    expect(auth.spec).not.toHaveProperty('secretTargetRef');
  });

  it('needs no TriggerAuthentication for TLS with public CAs, and passes on unverified TLS', () => {
    const manifests = renderWith({ ...KEDA_ON, kafka: { tls: { enabled: true, rejectUnauthorized: false } } });
    expect(ofKind(manifests, 'TriggerAuthentication')).toEqual([]);
    const trigger = triggerOf(manifests, 'fingerprinter');
    expect(trigger.metadata).toMatchObject({ tls: 'enable', unsafeSsl: 'true' });
    expect(trigger).not.toHaveProperty('authenticationRef');
  });

  it('renders nothing of KEDA without a KEDA-scaled worker, secured or not', () => {
    const manifests = renderWith({ kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } } });
    expect([...ofKind(manifests, 'ScaledObject'), ...ofKind(manifests, 'TriggerAuthentication')]).toEqual([]);
  });
});
