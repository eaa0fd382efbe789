import { DEFAULT_TENANT, type ErrorSpanMessage } from '@faultline/contracts';
import { issueIdFor, toOccurrence } from '@faultline/domain';
import { readCorpus, type CorpusCase } from '@faultline/domain/corpus';

/**
 * The issues of the explorer data set, built in TypeScript through the fingerprinter's own pure step
 * (`toOccurrence`), so fingerprint, message template, frames and culprit are exactly what the pipeline
 * would store for these stacks. The occurrences themselves are generated inside ClickHouse
 * (seed-sql.ts) and join this catalog by issue index.
 *
 * Stacks come from the grouping corpus (real stacks of seven runtimes). One corpus case gives many
 * issues: variant v > 0 renames the culprit function (e.g. `loadOrder` -> `loadOrderBatch`), as a
 * different call site of the same kind of bug would be, which changes the fingerprint.
 */

export interface ServiceProfile {
  name: string;
  /** Corpus directory of the service's runtime. */
  corpus: 'node' | 'python' | 'java' | 'go' | 'ruby' | 'dotnet' | 'php';
  /** Datadog `language` / `language.version` tags and the tracer's `component`. */
  language: string;
  languageVersion: string;
  component: string;
  /** What the routes are about. */
  noun: string;
  /** Version scheme: `${major}.${minorBase + floor(deploy / 4)}.${deploy % 4}`, deploys every `deployEveryHours`. */
  major: number;
  minorBase: number;
  deployEveryHours: number;
  replicas: number;
  /** Relative share of issues. */
  weight: number;
}

export const SERVICES: readonly ServiceProfile[] = [
  { name: 'checkout', corpus: 'node', language: 'javascript', languageVersion: '20.19.2', component: 'express', noun: 'checkout', major: 4, minorBase: 12, deployEveryHours: 19, replicas: 6, weight: 9 },
  { name: 'cart', corpus: 'node', language: 'javascript', languageVersion: '20.19.2', component: 'express', noun: 'carts', major: 2, minorBase: 3, deployEveryHours: 31, replicas: 4, weight: 6 },
  { name: 'web-frontend', corpus: 'node', language: 'javascript', languageVersion: '22.17.0', component: 'next', noun: 'pages', major: 11, minorBase: 40, deployEveryHours: 11, replicas: 8, weight: 10 },
  { name: 'notifications', corpus: 'node', language: 'javascript', languageVersion: '20.19.2', component: 'fastify', noun: 'notifications', major: 1, minorBase: 8, deployEveryHours: 53, replicas: 3, weight: 4 },
  { name: 'search-api', corpus: 'node', language: 'javascript', languageVersion: '22.17.0', component: 'fastify', noun: 'search', major: 3, minorBase: 0, deployEveryHours: 41, replicas: 5, weight: 5 },
  { name: 'auth', corpus: 'node', language: 'javascript', languageVersion: '20.19.2', component: 'express', noun: 'sessions', major: 5, minorBase: 2, deployEveryHours: 97, replicas: 4, weight: 3 },
  { name: 'recommendations', corpus: 'python', language: 'python', languageVersion: '3.11.9', component: 'flask', noun: 'recommendations', major: 0, minorBase: 31, deployEveryHours: 37, replicas: 4, weight: 6 },
  { name: 'ml-scoring', corpus: 'python', language: 'python', languageVersion: '3.12.4', component: 'fastapi', noun: 'scores', major: 1, minorBase: 4, deployEveryHours: 71, replicas: 2, weight: 4 },
  { name: 'billing-worker', corpus: 'python', language: 'python', languageVersion: '3.11.9', component: 'celery', noun: 'invoices', major: 2, minorBase: 17, deployEveryHours: 59, replicas: 3, weight: 4 },
  { name: 'reports', corpus: 'python', language: 'python', languageVersion: '3.10.14', component: 'django', noun: 'reports', major: 6, minorBase: 1, deployEveryHours: 113, replicas: 2, weight: 3 },
  { name: 'catalog', corpus: 'python', language: 'python', languageVersion: '3.12.4', component: 'django', noun: 'products', major: 3, minorBase: 9, deployEveryHours: 29, replicas: 5, weight: 6 },
  { name: 'payments', corpus: 'java', language: 'jvm', languageVersion: '17.0.12', component: 'java-web-servlet', noun: 'payments', major: 7, minorBase: 2, deployEveryHours: 67, replicas: 6, weight: 7 },
  { name: 'inventory', corpus: 'java', language: 'jvm', languageVersion: '21.0.4', component: 'java-web-servlet', noun: 'stock', major: 2, minorBase: 22, deployEveryHours: 43, replicas: 4, weight: 5 },
  { name: 'orders', corpus: 'java', language: 'jvm', languageVersion: '17.0.12', component: 'java-web-servlet', noun: 'orders', major: 9, minorBase: 0, deployEveryHours: 23, replicas: 6, weight: 7 },
  { name: 'edge-proxy', corpus: 'go', language: 'go', languageVersion: 'go1.22.5', component: 'net/http', noun: 'routes', major: 1, minorBase: 14, deployEveryHours: 83, replicas: 8, weight: 3 },
  { name: 'shipping', corpus: 'go', language: 'go', languageVersion: 'go1.23.1', component: 'net/http', noun: 'shipments', major: 0, minorBase: 9, deployEveryHours: 47, replicas: 3, weight: 3 },
  { name: 'accounts', corpus: 'ruby', language: 'ruby', languageVersion: '3.3.4', component: 'rack', noun: 'accounts', major: 12, minorBase: 3, deployEveryHours: 61, replicas: 4, weight: 3 },
  { name: 'invoicing', corpus: 'dotnet', language: 'dotnet', languageVersion: '8.0.7', component: 'aspnet_core', noun: 'invoices', major: 3, minorBase: 1, deployEveryHours: 89, replicas: 3, weight: 3 },
  { name: 'storefront', corpus: 'php', language: 'php', languageVersion: '8.2.20', component: 'laravel', noun: 'storefront', major: 5, minorBase: 6, deployEveryHours: 101, replicas: 4, weight: 4 },
  { name: 'cms', corpus: 'php', language: 'php', languageVersion: '8.3.9', component: 'symfony', noun: 'pages', major: 2, minorBase: 0, deployEveryHours: 131, replicas: 2, weight: 2 },
];

export const ENVS = ['production', 'staging', 'canary', 'development'] as const;

export type SeedStatus = 'FOR_REVIEW' | 'REVIEWED' | 'IGNORED' | 'RESOLVED';

/** One row of the catalog table the occurrence generator joins (see seed-sql.ts CATALOG_TABLE). */
export interface CatalogIssue {
  idx: number;
  issue_id: string;
  fingerprint: string;
  fingerprint_version: number;
  service_idx: number;
  service: string;
  error_type: string;
  error_message: string;
  message_template: string;
  stack: string;
  frames: string;
  culprit: string | null;
  language: string;
  language_version: string;
  component: string;
  /** Routes and their methods, aligned; the first is the issue's usual route. */
  routes: string[];
  methods: string[];
  status_code: string;
  major: number;
  minor_base: number;
  deploy_every_ms: number;
  replicas: number;
  /** Occurrences fall uniformly in [start_ms, end_ms), except the spike share, which falls in the last hour. */
  start_ms: number;
  end_ms: number;
  spike_share: number;
  /** Triage state the seed gives the issue (a person's work that the occurrences cannot tell). */
  status: SeedStatus;
  regression: number;
  actor: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const VARIANT_SUFFIXES = [
  'Batch', 'Async', 'ForUser', 'V2', 'Internal', 'Cached', 'Legacy', 'Once', 'All', 'ById',
  'FromQueue', 'WithRetry', 'Safe', 'Bulk', 'Stream', 'Preview', 'Admin', 'Guest', 'Export', 'Import',
  'Draft', 'Sync', 'Nightly', 'Webhook', 'Mobile', 'Partner', 'Summary', 'Details', 'Lazy', 'Eager',
];
const ACTORS = ['maria@shop.example', 'dev.oncall@shop.example', 'kenji@shop.example', 'li.wei@shop.example', 'olu@shop.example'];
const STATUS_CODES = ['500', '500', '500', '500', '502', '503', '504'];

/** mulberry32: a small deterministic PRNG, so the same seed size always produces the same issues. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function routesFor(service: ServiceProfile): { routes: string[]; methods: string[] } {
  const base = `/api/v1/${service.noun}`;
  const pairs: [string, string][] = [
    ['GET', `${base}/:id`],
    ['POST', base],
    ['GET', base],
    ['PUT', `${base}/:id`],
    ['POST', `${base}/:id/items`],
    ['GET', `${base}/:id/history`],
    ['DELETE', `${base}/:id`],
    ['POST', `${base}/search`],
  ];
  return { methods: pairs.map(([method]) => method), routes: pairs.map(([, route]) => route) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Template {
  corpusCase: CorpusCase;
  /** Function name of the first in-app frame that has one, renamed in variants. */
  culpritFunction: string | null;
}

function templatesByCorpus(): Map<string, Template[]> {
  const byLanguage = new Map<string, Template[]>();
  // One case per corpus group (its first variant): the other variants are the same bug.
  const seenGroups = new Set<string>();
  for (const corpusCase of readCorpus()) {
    const group = `${corpusCase.language}/${corpusCase.group}`;
    if (seenGroups.has(group)) continue;
    seenGroups.add(group);
    const occurrence = toOccurrence(spanFor('template', corpusCase.errorType, corpusCase.message, corpusCase.stack, 0));
    const culpritFrame = occurrence.frames.find((frame) => frame.inApp && frame.function);
    const list = byLanguage.get(corpusCase.language) ?? [];
    list.push({ corpusCase, culpritFunction: culpritFrame?.function?.split(/[.:]/).pop() ?? null });
    byLanguage.set(corpusCase.language, list);
  }
  return byLanguage;
}

function spanFor(service: string, type: string, message: string, stack: string, nowMs: number): ErrorSpanMessage {
  return {
    schema: 'error-span/v1',
    tenant: DEFAULT_TENANT,
    receivedAt: nowMs,
    protocol: 'datadog-v0.4',
    traceId: '1',
    traceIdHex: null,
    spanId: '1',
    parentId: '0',
    service,
    name: 'web.request',
    resource: 'GET /',
    startNs: `${nowMs}000000`,
    durationNs: 1,
    error: { type, message, stack },
    env: null,
    version: null,
    host: null,
    container: null,
    tags: {},
  } as ErrorSpanMessage;
}

/** Picks a service index by weight. */
function weightedService(random: () => number): number {
  const total = SERVICES.reduce((sum, service) => sum + service.weight, 0);
  let point = random() * total;
  for (let index = 0; index < SERVICES.length; index++) {
    point -= SERVICES[index].weight;
    if (point < 0) return index;
  }
  return SERVICES.length - 1;
}

/**
 * `issueCount` issues; index 0 is the largest (seed-sql.ts draws occurrence counts by index from a
 * heavy-tailed law). `nowMs` is the end of the 30-day window.
 */
export function buildCatalog(issueCount: number, nowMs: number, days: number): CatalogIssue[] {
  const templates = templatesByCorpus();
  const windowStart = nowMs - days * DAY_MS;
  const random = prng(20_260_501);
  const perService = new Array<number>(SERVICES.length).fill(0);
  const issueIds = new Set<string>();
  const catalog: CatalogIssue[] = [];

  for (let idx = 0; idx < issueCount; idx++) {
    const serviceIdx = weightedService(random);
    const service = SERVICES[serviceIdx];
    const candidates = templates.get(service.corpus);
    if (!candidates || candidates.length === 0) throw new Error(`no corpus stacks for ${service.corpus}`);

    // The service's k-th issue: template k mod n, variant k div n; skip variants that collide.
    let occurrence;
    let template: Template;
    let stack: string;
    let issueId: string;
    for (;;) {
      const k = perService[serviceIdx]++;
      template = candidates[k % candidates.length];
      const variant = Math.floor(k / candidates.length);
      stack = template.corpusCase.stack;
      if (variant > 0 && template.culpritFunction) {
        const suffix =
          VARIANT_SUFFIXES[(variant - 1) % VARIANT_SUFFIXES.length] +
          (variant > VARIANT_SUFFIXES.length ? VARIANT_SUFFIXES[Math.floor((variant - 1) / VARIANT_SUFFIXES.length) % VARIANT_SUFFIXES.length] : '');
        stack = stack.replace(new RegExp(`\\b${escapeRegExp(template.culpritFunction)}\\b`, 'g'), `${template.culpritFunction}${suffix}`);
      }
      occurrence = toOccurrence(spanFor(service.name, template.corpusCase.errorType, template.corpusCase.message, stack, nowMs));
      issueId = issueIdFor(DEFAULT_TENANT, service.name, occurrence.fingerprint);
      if (!issueIds.has(issueId)) break;
      if (k > 100_000) throw new Error(`cannot make ${issueCount} distinct issues for ${service.name}`);
    }
    issueIds.add(issueId);

    // Life time. The biggest issues run through the whole window; of the others, some stopped days
    // ago (fixed), some are new in the last hours, a few spike in the last hour.
    const profile = random();
    let startMs = idx < 100 ? windowStart : windowStart + random() * (days - 1) * DAY_MS;
    let endMs = nowMs;
    let spikeShare = 0;
    let oldOnly = false;
    if (idx >= 50 && profile < 0.14) {
      oldOnly = true;
      startMs = windowStart + random() * (days - 4) * DAY_MS;
      endMs = startMs + random() * (nowMs - 3 * DAY_MS - startMs);
    } else if (idx >= 100 && profile < 0.17) {
      startMs = nowMs - (profile < 0.155 ? random() * HOUR_MS : random() * 12 * HOUR_MS);
    } else if (idx >= 20 && profile < 0.185) {
      spikeShare = 0.4 + random() * 0.4;
    }

    let status: SeedStatus = 'FOR_REVIEW';
    let regression = 0;
    const triage = random();
    if (oldOnly) status = triage < 0.6 ? 'RESOLVED' : triage < 0.7 ? 'IGNORED' : triage < 0.85 ? 'REVIEWED' : 'FOR_REVIEW';
    else if (endMs - startMs > 2 * DAY_MS) {
      if (triage < 0.15) status = 'REVIEWED';
      else if (triage < 0.21) status = 'IGNORED';
      else if (triage < 0.24) regression = 1;
    }

    const { routes, methods } = routesFor(service);
    const first = Math.floor(random() * routes.length);
    catalog.push({
      idx,
      issue_id: issueId,
      fingerprint: occurrence.fingerprint,
      fingerprint_version: occurrence.fingerprintVersion,
      service_idx: serviceIdx,
      service: service.name,
      error_type: occurrence.errorType,
      error_message: occurrence.errorMessage,
      message_template: occurrence.messageTemplate,
      stack,
      frames: JSON.stringify(occurrence.frames),
      culprit: occurrence.culprit,
      language: service.language,
      language_version: service.languageVersion,
      component: service.component,
      routes: [routes[first], ...routes.filter((_, index) => index !== first)],
      methods: [methods[first], ...methods.filter((_, index) => index !== first)],
      status_code: STATUS_CODES[Math.floor(random() * STATUS_CODES.length)],
      major: service.major,
      minor_base: service.minorBase,
      deploy_every_ms: service.deployEveryHours * HOUR_MS,
      replicas: service.replicas,
      start_ms: Math.floor(startMs),
      end_ms: Math.max(Math.floor(endMs), Math.floor(startMs) + 1),
      spike_share: spikeShare,
      status,
      regression,
      actor: ACTORS[Math.floor(random() * ACTORS.length)],
    });
  }
  return catalog;
}
