import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, graphql } from './support/graphql-client';
import { RunningApp, startDdExpressApp } from './support/instrumented-app';
import { gatewayUrl, hex64, issueOfType, issuesOf, totalCount } from './support/issues';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;

describe('a dd-trace instrumented service reporting to Faultline', () => {
  // A fresh service name per run keeps the assertions exact even against a stack with older data.
  const service = `shop-${randomBytes(4).toString('hex')}`;
  let app: RunningApp;
  let startedAt: number;
  /** The trace id of the W3C trace context one request continues. */
  const incomingTraceIdHex = randomBytes(16).toString('hex');

  beforeAll(async () => {
    app = await startDdExpressApp(ingestionUrl, service);
    startedAt = Date.now();
    const get = (route: string, headers: Record<string, string> = {}) => fetch(`${app.url}${route}`, { headers }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await get(`/invoice/${i}`));
    statuses.push(await get('/payment/ORD-2024-00042'));
    statuses.push(await get('/payment/ORD-2024-00042?amount=99.90'));
    statuses.push(await get('/payment/ord_13bb90?amount=9.99'));
    // An incoming W3C trace context gives the entry span a parent that is not in the payload.
    statuses.push(await get('/payment/ORD-77', { traceparent: `00-${incomingTraceIdHex}-${randomBytes(8).toString('hex')}-01` }));
    for (let i = 0; i < 2; i++) statuses.push(await get('/inventory'));
    for (let i = 0; i < 2; i++) statuses.push(await get('/recovered'));
    for (let i = 0; i < 2; i++) statuses.push(await get('/unavailable'));
    statuses.push(await get('/ok'));
    expect(statuses).toEqual([500, 500, 500, 500, 500, 500, 500, 500, 500, 200, 200, 500, 500, 200]);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('turns each distinct bug into one issue counting exactly the failing requests', async () => {
    // 3 invoice + 4 payment + 2 inventory failures; recovered child-span errors and stack-less 500s make nothing.
    const issues = await eventually(() => issuesOf(service), (found) => totalCount(found) >= 9 && found.nodes.length >= 3);
    // Give the pipeline time to (wrongly) count copies of the error tags on child spans.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const settled = await issuesOf(service);
    expect(settled.totalCount).toBe(3);
    const byType = Object.fromEntries(settled.nodes.map((issue) => [issue.errorType, issue]));
    expect(Object.keys(byType).sort()).toEqual(['PaymentDeclinedError', 'RangeError', 'TypeError']);
    expect(byType.TypeError.count).toBe(3);
    expect(byType.PaymentDeclinedError.count).toBe(4);
    expect(byType.RangeError.count).toBe(2);
    expect(issues.nodes.length).toBe(3);
  });

  it('keeps service, env, version, first/last seen and status on each issue', async () => {
    const { nodes } = await issuesOf(service);
    const finishedAt = Date.now();
    for (const issue of nodes) {
      expect(issue.service).toBe(service);
      expect(issue.env).toBe('e2e');
      expect(issue.firstVersion).toBe('1.2.3');
      expect(issue.lastVersion).toBe('1.2.3');
      expect(issue.status).toBe('FOR_REVIEW');
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
      const firstSeen = Date.parse(issue.firstSeen);
      const lastSeen = Date.parse(issue.lastSeen);
      expect(firstSeen).toBeGreaterThanOrEqual(startedAt - 60_000);
      expect(firstSeen).toBeLessThanOrEqual(lastSeen);
      expect(lastSeen).toBeLessThanOrEqual(finishedAt);
    }
    const typeError = issueOfType(nodes, 'TypeError');
    expect(Date.parse(typeError.firstSeen)).toBeLessThan(Date.parse(typeError.lastSeen));
  });

  it('groups the same bug with other order ids and amounts into one issue, keeping each original message', async () => {
    const { nodes } = await issuesOf(service);
    const payment = issueOfType(nodes, 'PaymentDeclinedError');
    expect(payment.messageTemplate).not.toContain('ORD-2024-00042');
    const messages = payment.occurrences.edges.map((edge) => edge.node.errorMessage).sort();
    expect(messages).toEqual([
      'Payment declined for order ORD-2024-00042: amount 1234.50 EUR exceeds limit',
      'Payment declined for order ORD-2024-00042: amount 99.90 EUR exceeds limit',
      'Payment declined for order ORD-77: amount 1234.50 EUR exceeds limit',
      'Payment declined for order ord_13bb90: amount 9.99 EUR exceeds limit',
    ]);
    // dd-trace continued the incoming traceparent: its 128-bit trace id is the occurrence's traceIdHex.
    const continued = payment.occurrences.edges.map((edge) => edge.node).find((node) => node.errorMessage.includes('ORD-77'));
    expect(continued?.traceIdHex).toBe(incomingTraceIdHex);
  });

  it('lists each occurrence once with its decimal ids, env, version and stack', async () => {
    const { nodes } = await issuesOf(service);
    for (const issue of nodes) {
      expect(issue.occurrences.totalCount).toBe(issue.count);
      expect(issue.occurrences.edges).toHaveLength(issue.count);
      const spanIds = issue.occurrences.edges.map((edge) => edge.node.spanId);
      expect(new Set(spanIds).size).toBe(spanIds.length);
      for (const { node } of issue.occurrences.edges) {
        expect(node.spanId).toMatch(/^\d+$/);
        expect(node.traceId).toMatch(/^\d+$/);
        expect(node.traceIdHex?.slice(16)).toBe(hex64(node.traceId));
        expect(node.service).toBe(service);
        expect(node.env).toBe('e2e');
        expect(node.version).toBe('1.2.3');
        expect(node.errorType).toBe(issue.errorType);
        expect(node.stack).toContain(issue.errorType);
      }
      const timestamps = issue.occurrences.edges.map((edge) => Date.parse(edge.node.timestamp));
      expect(timestamps).toEqual([...timestamps].sort((a, b) => b - a));
    }
  });

  it('fetches one issue by id', async () => {
    const { nodes } = await issuesOf(service);
    const data = await graphql<{ issue: { id: string; count: number } | null }>(gatewayUrl(), 'query($id: ID!) { issue(id: $id) { id count } }', { id: nodes[0].id });
    expect(data.issue).toEqual({ id: nodes[0].id, count: nodes[0].count });
    const missing = await graphql<{ issue: unknown }>(gatewayUrl(), 'query { issue(id: "0000000000000000") { id } }');
    expect(missing.issue).toBeNull();
  });
});

describe('a tracer resending the same payload', () => {
  it('is counted once', async () => {
    // The real dd-trace v0.4 capture: one service, three failing requests, error tags copied on child spans.
    const payload = readFileSync(path.join(__dirname, 'fixtures', 'dd-trace-v04.payload.msgpack'));
    const fixtureService = 'checkout';
    const before = await issuesOf(fixtureService);
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${ingestionUrl}/v0.4/traces`, { method: 'PUT', headers: { 'content-type': 'application/msgpack' }, body: payload });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ rate_by_service: {} });
    }
    const after = await eventually(() => issuesOf(fixtureService), (found) => found.nodes.length === 3 && totalCount(found) >= 3);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const settled = await issuesOf(fixtureService);
    expect(settled.nodes).toHaveLength(3);
    expect(settled.nodes.map((issue) => issue.count)).toEqual([1, 1, 1]);
    // Whatever ran before (an earlier run against the same stack), three resends add nothing beyond the first.
    expect(totalCount(after)).toBe(Math.max(totalCount(before), 3));
  });
});
