import { randomBytes } from 'node:crypto';
import { ingestionCounter } from './support/ingestion-metrics';
import { startInstrumentedApp } from './support/instrumented-app';
import { driveShop, EXPECTED_STATUSES, FAILING_REQUESTS, FAILURES } from './support/shop-driver';
import { issueOfType, type ServiceIssues, settledIssuesOf, totalCount } from './support/issues';

const otlpUrl = process.env.FAULTLINE_OTLP_URL as string;
const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;

const EXPORTERS = ['json', 'proto', 'proto-gzip'] as const;
type Exporter = (typeof EXPORTERS)[number];

/** An incoming W3C trace context, as an upstream service would send it. */
interface IncomingTrace {
  traceId: string;
  /** The trace id field of `traceparent`. */
  traceIdHex: string;
  traceparent: string;
}

function incomingTrace(): IncomingTrace {
  const traceIdHex = randomBytes(16).toString('hex');
  return { traceId: BigInt(`0x${traceIdHex}`).toString(), traceIdHex, traceparent: `00-${traceIdHex}-${randomBytes(8).toString('hex')}-01` };
}


interface ShopRun {
  exporter: Exporter;
  service: string;
  incoming: IncomingTrace;
  statuses: number[];
  issues: ServiceIssues;
}

/** Runs the OTel-instrumented shop with one exporter as its own service, drives it, and waits until its issues have settled. */
async function runShop(exporter: Exporter, service: string): Promise<ShopRun> {
  const incoming = incomingTrace();
  const app = await startInstrumentedApp('otel-express-app.js', {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
    OTLP_EXPORTER: exporter,
    OTEL_SERVICE_NAME: service,
    SERVICE_VERSION: `3.1.${EXPORTERS.indexOf(exporter)}`,
    DEPLOYMENT_ENVIRONMENT: `e2e-${exporter}`,
    // Traces only: no SDK metrics or logs pipelines.
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });
  try {
    const statuses = await driveShop(app, { traceparent: incoming.traceparent });
    const issues = await settledIssuesOf(service, (found) => totalCount(found) >= FAILING_REQUESTS && found.nodes.length >= 3);
    return { exporter, service, incoming, statuses, issues };
  } finally {
    await app.stop();
  }
}

describe('OpenTelemetry Node SDK services reporting over OTLP/HTTP', () => {
  // Fresh service names keep the counts exact against a stack with older data; issues are per service.
  const suffix = randomBytes(4).toString('hex');
  const runs = new Map<Exporter, ShopRun>();
  let keptOverOtlp: number;

  beforeAll(async () => {
    const keptBefore = await ingestionCounter(ingestionUrl, 'faultline_ingestion_spans_kept_total', { protocol: 'otlp' });
    for (const exporter of EXPORTERS) runs.set(exporter, await runShop(exporter, `otel-shop-${exporter}-${suffix}`));
    keptOverOtlp = (await ingestionCounter(ingestionUrl, 'faultline_ingestion_spans_kept_total', { protocol: 'otlp' })) - keptBefore;
    // Jest's default 5 s hook timeout (the project-level testTimeout does not apply): three apps, three settles.
  }, 180_000);

  const run = (exporter: Exporter): ShopRun => {
    const found = runs.get(exporter);
    if (!found) throw new Error(`no ${exporter} run`);
    return found;
  };

  it('really receives the spans over OTLP: one kept error span per failing request of each run', () => {
    expect(keptOverOtlp).toBe(FAILING_REQUESTS * EXPORTERS.length);
  });

  describe.each(EXPORTERS)('with the %s exporter', (exporter) => {
    it('answers the requests as the app does: 8 failures, a recovered error, a 500 without exception, a success', () => {
      expect(run(exporter).statuses).toEqual(EXPECTED_STATUSES);
    });

    it('turns each distinct bug into one issue counting exactly the failing requests', () => {
      const { issues } = run(exporter);
      expect(issues.totalCount).toBe(3);
      expect(Object.fromEntries(issues.nodes.map((issue) => [issue.errorType, issue.count]))).toEqual(FAILURES);
    });

    it('takes service, env and version from the resource, and the error from the exception event', () => {
      const { service, issues } = run(exporter);
      const version = `3.1.${EXPORTERS.indexOf(exporter)}`;
      for (const issue of issues.nodes) {
        expect(issue).toMatchObject({ service, env: `e2e-${exporter}`, firstVersion: version, lastVersion: version, status: 'FOR_REVIEW' });
        expect(issue.occurrences.totalCount).toBe(issue.count);
        for (const { node } of issue.occurrences.edges) {
          expect(node).toMatchObject({ service, env: `e2e-${exporter}`, version, errorType: issue.errorType });
          // Decimal of the 128-bit trace id and of the 64-bit span id.
          expect(node.traceId).toMatch(/^\d{1,39}$/);
          expect(node.spanId).toMatch(/^\d{1,20}$/);
          // The same 128 bits as 32 lowercase hex, as the SDK sent them.
          expect(node.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
          expect(BigInt(`0x${node.traceIdHex}`).toString()).toBe(node.traceId);
          expect(node.stack).toMatch(new RegExp(`^${issue.errorType}: `));
          expect(node.stack).toContain('shop-routes.js');
        }
      }
      expect(issueOfType(issues.nodes, 'TypeError').errorMessage).toBe("Cannot read properties of undefined (reading 'name')");
      expect(issueOfType(issues.nodes, 'TypeError').occurrences.edges[0].node.stack).toMatch(/at formatCustomer .*\n\s+at renderInvoice /);
    });

    it('counts the request that continued an incoming traceparent, in that trace', () => {
      const { issues, incoming } = run(exporter);
      const continued = issueOfType(issues.nodes, 'PaymentDeclinedError')
        .occurrences.edges.map((edge) => edge.node)
        .filter((node) => node.errorMessage.includes('ORD-88'));
      expect(continued.map((node) => [node.traceId, node.traceIdHex, node.errorMessage])).toEqual([
        [incoming.traceId, incoming.traceIdHex, 'Payment declined for order ORD-88: amount 42.00 EUR exceeds limit'],
      ]);
    });
  });

  it('gives each bug the same fingerprint whichever exporter carried it, in issues of their own service', () => {
    const fingerprints = (exporter: Exporter) => Object.fromEntries(run(exporter).issues.nodes.map((issue) => [issue.errorType, issue.fingerprint]));
    expect(Object.keys(fingerprints('json')).sort()).toEqual(Object.keys(FAILURES).sort());
    expect(fingerprints('proto')).toEqual(fingerprints('json'));
    expect(fingerprints('proto-gzip')).toEqual(fingerprints('json'));
    const issueIds = EXPORTERS.flatMap((exporter) => run(exporter).issues.nodes.map((issue) => issue.id));
    expect(new Set(issueIds).size).toBe(9);
  });
});

describe('the OTLP/HTTP listener', () => {
  it('accepts and drops metrics and logs exports, and rejects a body that is not OTLP', async () => {
    for (const path of ['/v1/metrics', '/v1/logs']) {
      const response = await fetch(`${otlpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([response.status, await response.json()]).toEqual([200, {}]);
    }
    const rejected = await fetch(`${otlpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}' });
    expect(rejected.status).toBe(400);
    expect(await rejected.json()).toEqual({ code: 3, message: 'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 32 hex characters' });
  });
});
