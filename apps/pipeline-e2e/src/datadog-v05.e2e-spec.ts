import { randomBytes } from 'node:crypto';
import { ingestionCounter } from './support/ingestion-metrics';
import { startDdExpressApp } from './support/instrumented-app';
import { driveShop, EXPECTED_STATUSES, FAILING_REQUESTS, FAILURES } from './support/shop-driver';
import { hex64, issueOfType, type ServiceIssues, settledIssuesOf, totalCount } from './support/issues';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;


/** An incoming Datadog trace context, as an upstream service traced by dd-trace would send it. */
interface IncomingTrace {
  traceId: string;
  parentId: string;
}

/** A random non-zero 63-bit id in decimal, the form of the x-datadog-* headers. */
function randomDatadogId(): string {
  return ((BigInt(`0x${randomBytes(8).toString('hex')}`) & 0x7fff_ffff_ffff_ffffn) | 1n).toString();
}


/** Kept error spans per Datadog protocol, from the ingestion service's own counters. */
async function keptSpans(): Promise<{ v04: number; v05: number }> {
  const kept = (protocol: string) => ingestionCounter(ingestionUrl, 'faultline_ingestion_spans_kept_total', { protocol });
  return { v04: await kept('datadog-v0.4'), v05: await kept('datadog-v0.5') };
}

interface ShopRun {
  service: string;
  incoming: IncomingTrace;
  statuses: number[];
  issues: ServiceIssues;
}

/** Runs the dd-trace instrumented shop as `service`, drives it, and waits until its issues have settled. */
async function runShop(service: string, env: Record<string, string>): Promise<ShopRun> {
  const incoming = { traceId: randomDatadogId(), parentId: randomDatadogId() };
  const app = await startDdExpressApp(ingestionUrl, service, env);
  try {
    const statuses = await driveShop(app, {
      'x-datadog-trace-id': incoming.traceId,
      'x-datadog-parent-id': incoming.parentId,
      'x-datadog-sampling-priority': '1',
    });
    const issues = await settledIssuesOf(service, (found) => totalCount(found) >= FAILING_REQUESTS && found.nodes.length >= 3);
    return { service, incoming, statuses, issues };
  } finally {
    await app.stop();
  }
}

describe('a dd-trace service reporting over the trace-agent v0.5 API', () => {
  // Fresh service names keep the counts exact against a stack with older data; issues are per service.
  const suffix = randomBytes(4).toString('hex');
  let v05: ShopRun;
  let v04: ShopRun;
  let keptDuringV05: { v04: number; v05: number };

  beforeAll(async () => {
    const before = await keptSpans();
    v05 = await runShop(`shop-v05-${suffix}`, { DD_TRACE_AGENT_PROTOCOL_VERSION: '0.5', DD_ENV: 'e2e-v05', DD_VERSION: '2.0.1' });
    const after = await keptSpans();
    keptDuringV05 = { v04: after.v04 - before.v04, v05: after.v05 - before.v05 };
    // The same app and bugs over v0.4, to compare fingerprints across protocols.
    v04 = await runShop(`shop-v04-${suffix}`, { DD_TRACE_AGENT_PROTOCOL_VERSION: '0.4' });
    // Jest's default 5 s hook timeout (the project-level testTimeout does not apply): two apps, two settles.
  }, 120_000);

  it('answers the requests as the app does: 8 failures and one success', () => {
    expect(v05.statuses).toEqual(EXPECTED_STATUSES);
    expect(v04.statuses).toEqual(EXPECTED_STATUSES);
  });

  it('really receives the traces on /v0.5/traces: one kept error span per failing request, none over v0.4', () => {
    expect(keptDuringV05).toEqual({ v05: FAILING_REQUESTS, v04: 0 });
  });

  it('turns each distinct bug into one issue counting exactly the failing requests', () => {
    expect(v05.issues.totalCount).toBe(3);
    expect(Object.fromEntries(v05.issues.nodes.map((issue) => [issue.errorType, issue.count]))).toEqual(FAILURES);
  });

  it('takes service, env and version from the tracer configuration', () => {
    for (const issue of v05.issues.nodes) {
      expect(issue).toMatchObject({ service: v05.service, env: 'e2e-v05', firstVersion: '2.0.1', lastVersion: '2.0.1', status: 'FOR_REVIEW' });
      expect(issue.occurrences.totalCount).toBe(issue.count);
      for (const { node } of issue.occurrences.edges) {
        expect(node).toMatchObject({ service: v05.service, env: 'e2e-v05', version: '2.0.1', errorType: issue.errorType });
        expect(node.spanId).toMatch(/^\d+$/);
        // _dd.p.tid, then trace_id as 16 hex.
        expect(node.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
        expect(node.traceIdHex?.slice(16)).toBe(hex64(node.traceId));
        expect(node.stack).toContain(issue.errorType);
      }
    }
  });

  it('counts the request that continued an incoming x-datadog-* trace, in that trace', () => {
    const payment = issueOfType(v05.issues.nodes, 'PaymentDeclinedError');
    const continued = payment.occurrences.edges.map((edge) => edge.node).filter((node) => node.errorMessage.includes('ORD-88'));
    expect(continued.map((node) => [node.traceId, node.errorMessage])).toEqual([
      [v05.incoming.traceId, 'Payment declined for order ORD-88: amount 42.00 EUR exceeds limit'],
    ]);
    // x-datadog-trace-id carries 64 bits and no _dd.p.tid came with it: the upper half is zeros.
    expect(continued[0].traceIdHex).toBe(`${'0'.repeat(16)}${hex64(v05.incoming.traceId)}`);
  });

  it('gives each bug the same fingerprint as the same bug reported over v0.4', () => {
    const fingerprints = (run: ShopRun) => Object.fromEntries(run.issues.nodes.map((issue) => [issue.errorType, issue.fingerprint]));
    expect(v04.issues.totalCount).toBe(3);
    expect(Object.fromEntries(v04.issues.nodes.map((issue) => [issue.errorType, issue.count]))).toEqual(FAILURES);
    expect(Object.keys(fingerprints(v05)).sort()).toEqual(Object.keys(FAILURES).sort());
    expect(fingerprints(v05)).toEqual(fingerprints(v04));
    // Issues themselves are per service.
    const v04Ids = new Set(v04.issues.nodes.map((issue) => issue.id));
    expect(v05.issues.nodes.filter((issue) => v04Ids.has(issue.id))).toEqual([]);
  });
});
