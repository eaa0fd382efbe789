import { randomBytes } from 'node:crypto';
import { type CorpusCase, readCorpus } from '@faultline/domain/corpus';
import { corpusSpan, putDatadogTraces } from './support/datadog-spans';
import { eventually, graphql, graphqlResponse } from './support/graphql-client';
import { gatewayUrl } from './support/issues';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;

/**
 * How long a configuration change takes to reach new occurrences: the fingerprinter caches each
 * tenant's grouping config for FINGERPRINTER_GROUPING_CONFIG_TTL_MS (5 s by default, which the e2e
 * stack keeps).
 */
const CONFIG_PROPAGATION_MS = 6_000;

interface Frame {
  function: string | null;
  file: string | null;
  module: string | null;
  line: number | null;
  column: number | null;
  inApp: boolean;
}

interface RuleIssue {
  id: string;
  fingerprint: string;
  fingerprintVersion: number;
  errorType: string;
  messageTemplate: string | null;
  culprit: string | null;
  count: number;
  occurrences: { edges: { node: { spanId: string } }[] };
  frames: Frame[];
}

interface GroupingRuleNode {
  id: string;
  service: string | null;
  errorType: string | null;
  messageContains: string | null;
  frameContains: string | null;
  groupKey: string;
  createdAt: string;
}

const RULE_FIELDS = 'id service errorType messageContains frameContains groupKey createdAt';

async function issuesOf(service: string): Promise<RuleIssue[]> {
  const data = await graphql<{ issues: { edges: { node: RuleIssue }[] } }>(
    gatewayUrl(),
    `query($service: String!) { issues(filter: { service: $service }, first: 50) { edges { node {
      id fingerprint fingerprintVersion errorType messageTemplate culprit count
      occurrences(first: 50) { edges { node { spanId } } }
      frames { function file module line column inApp }
    } } } }`,
    { service },
  );
  return data.issues.edges.map((edge) => edge.node);
}

/** The issues of `service` once they hold `occurrences` in all, after a pause that lets extra copies show. */
async function settledIssues(service: string, occurrences: number): Promise<RuleIssue[]> {
  await eventually(
    () => issuesOf(service),
    (issues) => issues.reduce((sum, issue) => sum + issue.count, 0) >= occurrences,
  );
  await sleep(1500);
  return issuesOf(service);
}

const spanIdsOf = (issue: RuleIssue): string[] => issue.occurrences.edges.map((edge) => edge.node.spanId).sort();

function issueHolding(issues: RuleIssue[], spanId: string): RuleIssue {
  const issue = issues.find((candidate) => spanIdsOf(candidate).includes(spanId));
  if (!issue) throw new Error(`no issue holds span ${spanId}`);
  return issue;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function corpusCase(corpus: CorpusCase[], language: string, group: string, variant: string): CorpusCase {
  const found = corpus.find((testCase) => testCase.language === language && testCase.group === group && testCase.variant === variant);
  if (!found) throw new Error(`no corpus case ${language}/${group}/${variant}`);
  return found;
}

async function setInAppPatterns(include: string[], exclude: string[]): Promise<void> {
  await graphql(gatewayUrl(), 'mutation($input: InAppPatternsInput!) { setInAppPatterns(input: $input) { include exclude } }', { input: { include, exclude } });
}

describe('tenant grouping rules and in-app patterns through the whole pipeline', () => {
  const suffix = randomBytes(4).toString('hex');
  const corpus = readCorpus();
  // Two different bugs of one type and message (charging and refunding an order fail alike, in other code).
  const charge = (variant: string) => corpusCase(corpus, 'node', 'payment-declined-charge', variant);
  const refund = (variant: string) => corpusCase(corpus, 'node', 'payment-declined-refund', variant);
  // Span ids below 2^53 so the JSON body needs no big-number encoding; unique per span in this run.
  let nextSpanId = Number.parseInt(randomBytes(5).toString('hex'), 16) * 1000;
  let nextStartMs = Date.now();

  /** Sends one span per case for `service`, each starting 1 ms after the previous one (so "latest" is well defined); answers their span ids. */
  async function send(service: string, cases: CorpusCase[]): Promise<string[]> {
    const spans = cases.map((testCase) => corpusSpan(testCase, service, nextSpanId++, BigInt(nextStartMs++) * 1_000_000n));
    expect(await putDatadogTraces(ingestionUrl, spans.map((span) => [span]))).toBe(200);
    return spans.map((span) => String(span.span_id));
  }

  async function createRule(input: Partial<GroupingRuleNode>): Promise<GroupingRuleNode> {
    const data = await graphql<{ createGroupingRule: GroupingRuleNode }>(
      gatewayUrl(),
      `mutation($input: GroupingRuleInput!) { createGroupingRule(input: $input) { ${RULE_FIELDS} } }`,
      { input },
    );
    return data.createGroupingRule;
  }

  async function listRules(): Promise<GroupingRuleNode[]> {
    return (await graphql<{ groupingRules: GroupingRuleNode[] }>(gatewayUrl(), `{ groupingRules { ${RULE_FIELDS} } }`)).groupingRules;
  }

  describe('a rule for one service', () => {
    const ruled = `rules-s1-${suffix}`;
    const untouched = `rules-s2-${suffix}`;
    let rule: GroupingRuleNode;
    const before: Record<string, string[]> = {};
    const after: Record<string, string[]> = {};

    beforeAll(async () => {
      // Before the rule: one occurrence of each bug per service.
      for (const service of [ruled, untouched]) before[service] = await send(service, [charge('release-v41'), refund('release-v41')]);
      for (const service of [ruled, untouched]) expect((await settledIssues(service, 2)).map((issue) => issue.count)).toEqual([1, 1]);

      rule = await createRule({ service: ruled, messageContains: 'Payment declined for order', groupKey: 'checkout-failures' });
      await sleep(CONFIG_PROPAGATION_MS);

      // After it: two more of the charge bug (the latest a later release, lines shifted) and one more refund.
      for (const service of [ruled, untouched]) after[service] = await send(service, [charge('fixture-release-1.2.3'), refund('release-v42'), charge('release-v42')]);
    });

    afterAll(async () => {
      // Scoped to this run's service, so it could not touch other specs; deleted anyway.
      await graphql(gatewayUrl(), 'mutation($id: ID!) { deleteGroupingRule(id: $id) }', { id: rule.id });
    });

    it('is stored and listed as created', async () => {
      expect(rule).toMatchObject({ service: ruled, errorType: null, messageContains: 'Payment declined for order', frameContains: null, groupKey: 'checkout-failures' });
      expect(Date.parse(rule.createdAt)).toBeGreaterThan(Date.now() - 120_000);
      expect(await listRules()).toContainEqual(rule);
    });

    it("groups the two bugs' new occurrences into one new issue; the old issues keep their counts", async () => {
      const issues = await settledIssues(ruled, 5);
      expect(issues).toHaveLength(3);
      const [oldCharge, oldRefund] = before[ruled].map((spanId) => issueHolding(issues, spanId));
      expect(spanIdsOf(oldCharge)).toEqual([before[ruled][0]]);
      expect(spanIdsOf(oldRefund)).toEqual([before[ruled][1]]);
      expect([oldCharge.count, oldRefund.count]).toEqual([1, 1]);

      const grouped = issueHolding(issues, after[ruled][0]);
      expect(spanIdsOf(grouped)).toEqual([...after[ruled]].sort());
      expect(grouped.count).toBe(3);
      expect(grouped.fingerprint).not.toBe(oldCharge.fingerprint);
      expect(grouped.fingerprint).not.toBe(oldRefund.fingerprint);
      expect(grouped.messageTemplate).toBe('Payment declined for order <id>: amount <num> EUR exceeds limit');
    });

    it('leaves the same bugs in another service grouped by their stacks', async () => {
      const issues = await settledIssues(untouched, 5);
      expect(issues).toHaveLength(2);
      const chargeIssue = issueHolding(issues, before[untouched][0]);
      const refundIssue = issueHolding(issues, before[untouched][1]);
      expect(spanIdsOf(chargeIssue)).toEqual([before[untouched][0], after[untouched][0], after[untouched][2]].sort());
      expect(spanIdsOf(refundIssue)).toEqual([before[untouched][1], after[untouched][1]].sort());
      expect([chargeIssue.count, refundIssue.count]).toEqual([3, 2]);
    });

    it("exposes the latest occurrence's frames, with in-app flags and line numbers, and the fingerprint version", async () => {
      const chargeIssue = issueHolding(await settledIssues(untouched, 5), before[untouched][0]);
      expect(chargeIssue.fingerprintVersion).toBe(2);
      expect(chargeIssue.culprit).toBe('chargeOrder (payments.js)');
      // The latest is charge/release-v42, where chargeOrder moved down to line 18 (v41 had it on 14).
      const latest = charge('release-v42').stack;
      expect(latest).toContain('at chargeOrder (/tmp/flcorpus/srv/releases/v42/shop/src/payments.js:18:29)');
      expect(chargeIssue.frames.slice(0, 3)).toEqual([
        { function: 'chargeOrder', file: 'payments.js', module: null, line: 18, column: 29, inApp: true },
        { function: 'checkout', file: 'payments.js', module: null, line: 24, column: 3, inApp: true },
        { function: 'Object.<anonymous>', file: 'payments.js', module: null, line: 28, column: 8, inApp: true },
      ]);
      const libraryFrames = chargeIssue.frames.slice(3);
      expect(libraryFrames.length).toBeGreaterThan(0);
      expect(libraryFrames.every((frame) => !frame.inApp && frame.file?.startsWith('node:'))).toBe(true);
      expect(libraryFrames[0]).toEqual({ function: 'Module._compile', file: 'node:internal/modules/cjs/loader', module: null, line: 1521, column: 14, inApp: false });
    });
  });

  describe('in-app patterns', () => {
    const service = `inapp-${suffix}`;
    // PHP: OrderRepository->find (OrderRepository.php) is the top in-app frame, called by OrderService->load.
    const orderNotFound = (variant: string) => corpusCase(corpus, 'php', 'order-not-found-router', variant);

    afterAll(async () => {
      // Patterns are tenant-wide and specs run one after another: restore none, and let the
      // fingerprinter's cache forget them before the next spec sends anything.
      await setInAppPatterns([], []);
      await sleep(CONFIG_PROPAGATION_MS);
    });

    it('excluding an app file moves the culprit and the grouping of new occurrences only', async () => {
      const [first] = await send(service, [orderNotFound('release-v2.3.0-no-args')]);
      const [before] = await settledIssues(service, 1);
      expect(before.culprit).toBe('OrderRepository->find (OrderRepository.php)');

      await setInAppPatterns([], ['OrderRepository.php']);
      expect(await graphql(gatewayUrl(), '{ inAppPatterns { include exclude } }')).toEqual({ inAppPatterns: { include: [], exclude: ['OrderRepository.php'] } });
      await sleep(CONFIG_PROPAGATION_MS);
      // The same bug from the next release.
      const [second] = await send(service, [orderNotFound('release-v2.3.1-with-args')]);

      const issues = await settledIssues(service, 2);
      expect(issues).toHaveLength(2);
      const old = issueHolding(issues, first);
      expect(spanIdsOf(old)).toEqual([first]);
      expect(old.culprit).toBe('OrderRepository->find (OrderRepository.php)');
      const moved = issueHolding(issues, second);
      expect(spanIdsOf(moved)).toEqual([second]);
      expect(moved.culprit).toBe('OrderService->load (OrderService.php)');
      expect(moved.fingerprint).not.toBe(old.fingerprint);
      expect(moved.frames[0]).toMatchObject({ function: 'OrderRepository->find', file: 'OrderRepository.php', inApp: false });
      expect(moved.frames[1]).toMatchObject({ function: 'OrderService->load', file: 'OrderService.php', inApp: true });
    });
  });

  describe('validation and deletion', () => {
    it('rejects a rule without any condition as BAD_USER_INPUT and stores nothing', async () => {
      const rulesBefore = await listRules();
      const response = await graphqlResponse(gatewayUrl(), `mutation { createGroupingRule(input: { groupKey: "everything" }) { id } }`);
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
      expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0].message).toContain('a rule needs at least one condition');

      const blank = await graphqlResponse(gatewayUrl(), `mutation { createGroupingRule(input: { errorType: "TypeError", groupKey: "  " }) { id } }`);
      expect(blank.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', fields: ['groupKey'] } });
      expect(blank.errors?.[0].message).toMatch(/^input\.groupKey: /);
      expect(await listRules()).toEqual(rulesBefore);
    });

    it('deleteGroupingRule removes the rule, and answers false for an unknown id', async () => {
      const rule = await createRule({ frameContains: `never-matches-${suffix}`, groupKey: `delete-me-${suffix}` });
      expect((await listRules()).map((listed) => listed.id)).toContain(rule.id);

      const deleted = await graphql<{ deleteGroupingRule: boolean }>(gatewayUrl(), 'mutation($id: ID!) { deleteGroupingRule(id: $id) }', { id: rule.id });
      expect(deleted.deleteGroupingRule).toBe(true);
      expect((await listRules()).map((listed) => listed.id)).not.toContain(rule.id);
      const again = await graphql<{ deleteGroupingRule: boolean }>(gatewayUrl(), 'mutation($id: ID!) { deleteGroupingRule(id: $id) }', { id: rule.id });
      expect(again.deleteGroupingRule).toBe(false);
    });
  });
});
