import { randomBytes } from 'node:crypto';
import { RunningApp, startDdExpressApp, startInstrumentedApp } from './support/instrumented-app';
import { type ServiceIssues, settledIssuesOf, totalCount } from './support/issues';
import { driveShop, EXPECTED_STATUSES, FAILING_REQUESTS, FAILURES } from './support/shop-driver';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;
const otlpUrl = process.env.FAULTLINE_OTLP_URL as string;

/** Drives the shop as `service` and returns its settled issues; the app is stopped afterwards. */
async function issuesFromShop(service: string, start: () => Promise<RunningApp>): Promise<ServiceIssues> {
  const app = await start();
  try {
    expect(await driveShop(app, {})).toEqual(EXPECTED_STATUSES);
    return await settledIssuesOf(service, (found) => totalCount(found) >= FAILING_REQUESTS && found.nodes.length >= 3);
  } finally {
    await app.stop();
  }
}

const fingerprintsByType = (issues: ServiceIssues) => Object.fromEntries(issues.nodes.map((issue) => [issue.errorType, issue.fingerprint]));

describe('the same bugs reported by dd-trace and by the OpenTelemetry SDK', () => {
  const suffix = randomBytes(4).toString('hex');
  let datadog: ServiceIssues;
  let otel: ServiceIssues;

  beforeAll(async () => {
    const ddService = `shop-dd-${suffix}`;
    const otelService = `shop-otel-${suffix}`;
    datadog = await issuesFromShop(ddService, () => startDdExpressApp(ingestionUrl, ddService, { DD_ENV: 'e2e', DD_VERSION: '4.0.0' }));
    otel = await issuesFromShop(otelService, () =>
      startInstrumentedApp('otel-express-app.js', {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
        OTLP_EXPORTER: 'proto',
        OTEL_SERVICE_NAME: otelService,
        SERVICE_VERSION: '4.0.0',
        DEPLOYMENT_ENVIRONMENT: 'e2e',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      }),
    );
  }, 120_000);

  it('makes the same issues with the same counts over either protocol', () => {
    const counts = (issues: ServiceIssues) => Object.fromEntries(issues.nodes.map((issue) => [issue.errorType, issue.count]));
    expect(counts(datadog)).toEqual(FAILURES);
    expect(counts(otel)).toEqual(FAILURES);
  });

  it('gives each bug the same fingerprint whichever protocol carried it', () => {
    expect(Object.keys(fingerprintsByType(datadog)).sort()).toEqual(Object.keys(FAILURES).sort());
    expect(fingerprintsByType(otel)).toEqual(fingerprintsByType(datadog));
  });

  it('keeps the issues apart per service', () => {
    const ids = (issues: ServiceIssues) => issues.nodes.map((issue) => issue.id);
    expect(ids(otel).filter((id) => ids(datadog).includes(id))).toEqual([]);
  });
});
