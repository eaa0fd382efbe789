import { randomBytes } from 'node:crypto';
import { RunningApp, startDdExpressApp, startInstrumentedApp } from './support/instrumented-app';
import { hex64, issueOfType, type OccurrenceNode, type ServiceIssues, settledIssuesOf, totalCount } from './support/issues';
import { driveShop, EXPECTED_STATUSES, FAILING_REQUESTS, FAILURES } from './support/shop-driver';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;
const otlpUrl = process.env.FAULTLINE_OTLP_URL as string;

/**
 * One W3C trace that reaches both services, as when an upstream service calls a Datadog- and an
 * OTel-instrumented one in the same request.
 */
const sharedTraceIdHex = randomBytes(16).toString('hex');
const sharedTraceparent = `00-${sharedTraceIdHex}-${randomBytes(8).toString('hex')}-01`;

/** Drives the shop as `service` (its continued request in the shared trace) and returns its settled issues; the app is stopped afterwards. */
async function issuesFromShop(service: string, start: () => Promise<RunningApp>): Promise<ServiceIssues> {
  const app = await start();
  try {
    expect(await driveShop(app, { traceparent: sharedTraceparent })).toEqual(EXPECTED_STATUSES);
    return await settledIssuesOf(service, (found) => totalCount(found) >= FAILING_REQUESTS && found.nodes.length >= 3);
  } finally {
    await app.stop();
  }
}

const fingerprintsByType = (issues: ServiceIssues) => Object.fromEntries(issues.nodes.map((issue) => [issue.errorType, issue.fingerprint]));
const occurrencesOf = (issues: ServiceIssues): OccurrenceNode[] => issues.nodes.flatMap((issue) => issue.occurrences.edges.map((edge) => edge.node));
/** The occurrence of the request that continued the shared trace. */
const continuedOccurrence = (issues: ServiceIssues): OccurrenceNode | undefined =>
  issueOfType(issues.nodes, 'PaymentDeclinedError')
    .occurrences.edges.map((edge) => edge.node)
    .find((node) => node.errorMessage.includes('ORD-88'));

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

  it('gives every occurrence the full 128-bit trace id as 32 lowercase hex, traceId keeping each protocol\'s decimal', () => {
    for (const node of occurrencesOf(datadog)) {
      expect(node.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
      // dd-trace sends the lower 64 bits as trace_id and the upper ones in _dd.p.tid.
      expect(node.traceIdHex?.slice(16)).toBe(hex64(node.traceId));
    }
    // dd-trace 5 generates 128-bit trace ids: the upper half is not zeros.
    expect(occurrencesOf(datadog).filter((node) => node.traceIdHex?.startsWith('0'.repeat(16)))).toEqual([]);
    for (const node of occurrencesOf(otel)) {
      expect(node.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
      expect(BigInt(`0x${node.traceIdHex}`).toString()).toBe(node.traceId);
    }
  });

  it('gives a trace that crossed both services the same traceIdHex over either protocol', () => {
    const overDatadog = continuedOccurrence(datadog);
    const overOtel = continuedOccurrence(otel);
    expect(overDatadog?.traceIdHex).toBe(sharedTraceIdHex);
    expect(overOtel?.traceIdHex).toBe(sharedTraceIdHex);
    // traceId keeps its per-protocol meaning: Datadog's lower 64 bits, OTel's 128 bits, in decimal.
    expect(overDatadog?.traceId).toBe(BigInt(`0x${sharedTraceIdHex.slice(16)}`).toString());
    expect(overOtel?.traceId).toBe(BigInt(`0x${sharedTraceIdHex}`).toString());
  });

  it('keeps the issues apart per service', () => {
    const ids = (issues: ServiceIssues) => issues.nodes.map((issue) => issue.id);
    expect(ids(otel).filter((id) => ids(datadog).includes(id))).toEqual([]);
  });
});
