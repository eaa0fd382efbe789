import { ApolloServer } from '@apollo/server';
import { GroupingConfig, GroupingRule, GroupingRuleMatch, InAppPatterns, IssueRecord, StackFrame } from '@faultline/contracts';
import { InvalidGroupingConfigError } from '@faultline/redis';
import { GraphQLError } from 'graphql';
import { createApolloServer } from './graphql.server';
import { GroupingConfigAdmin } from './grouping-config.port';
import { inAppPatterns, newGroupingRule } from './grouping-config.resolvers';
import { IssueReader } from './issue-reader.port';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { IssueStateAdmin } from '../issue-workflow/issue-workflow.port';
import { GatewayContext } from './request-context';
import { listServiceFor, readerWith, testContext, TEST_OPTIONS } from '../testing/gateway-test-kit';

/** In-memory store with the contract of GroupingConfigStore; records what the resolvers hand it. */
class FakeGroupingConfigStore implements GroupingConfigAdmin {
  config: GroupingConfig = { rules: [], inApp: { include: [], exclude: [] } };
  readonly calls: unknown[][] = [];

  async get(tenant: string): Promise<GroupingConfig> {
    this.calls.push(['get', tenant]);
    return this.config;
  }
  async addRule(tenant: string, input: { match: GroupingRuleMatch; groupKey: string }): Promise<GroupingRule> {
    this.calls.push(['addRule', tenant, input]);
    const rule = { id: `rule-${this.config.rules.length + 1}`, ...input, createdAtMs: 1_795_571_501_272 };
    this.config = { ...this.config, rules: [...this.config.rules, rule] };
    return rule;
  }
  async deleteRule(tenant: string, id: string): Promise<boolean> {
    this.calls.push(['deleteRule', tenant, id]);
    const remaining = this.config.rules.filter((rule) => rule.id !== id);
    const deleted = remaining.length < this.config.rules.length;
    this.config = { ...this.config, rules: remaining };
    return deleted;
  }
  async setInAppPatterns(tenant: string, patterns: InAppPatterns): Promise<InAppPatterns> {
    this.calls.push(['setInAppPatterns', tenant, patterns]);
    this.config = { ...this.config, inApp: patterns };
    return patterns;
  }
}

const FRAME: StackFrame = { function: 'chargeOrder', file: 'payments.js', module: null, line: 14, column: 29, inApp: true };
const LIBRARY_FRAME: StackFrame = { function: 'Module._compile', file: 'node:internal/modules/cjs/loader', module: null, line: 1521, column: 14, inApp: false };

function issueRecord(issueId: string): IssueRecord {
  return {
    tenant: 'default',
    issueId,
    service: 'checkout',
    fingerprint: `fp-${issueId}`,
    fingerprintVersion: 2,
    errorType: 'PaymentDeclinedError',
    errorMessage: 'Payment declined for order ORD-1: amount 1 EUR exceeds limit',
    messageTemplate: 'Payment declined for order <id>: amount <num> EUR exceeds limit',
    culprit: 'chargeOrder (payments.js)',
    status: 'FOR_REVIEW',
    count: 1,
    firstSeenMs: 1_795_571_501_272,
    lastSeenMs: 1_795_571_501_272,
    env: null,
    envs: [],
    firstVersion: null,
    lastVersion: null,
    regression: false,
    assignee: null,
    resolvedInVersion: null,
    revision: 1,
  };
}

/** Serves three issues; records each latestFrames call to show a page costs one. */
function fakeReader(): IssueReader & { latestFramesCalls: string[][] } {
  const issues = ['a', 'b', 'c'].map(issueRecord);
  const latestFramesCalls: string[][] = [];
  return Object.assign(
    readerWith({
      orderedIssueIds: async () => ({ ids: issues.map((issue) => issue.issueId), totalCount: issues.length }),
      issuesByIds: async (_tenant, issueIds) => issues.filter((issue) => issueIds.includes(issue.issueId)),
      getIssue: async (_tenant, issueId) => issues.find((issue) => issue.issueId === issueId) ?? null,
      latestFrames: async (_tenant, issueIds) => {
        latestFramesCalls.push([...issueIds]);
        // 'c' has no stored occurrence yet.
        return new Map(issueIds.filter((id) => id !== 'c').map((id) => [id, [FRAME, LIBRARY_FRAME]]));
      },
    }),
    { latestFramesCalls },
  );
}

/** The triage side is not exercised here (see issue-workflow.resolvers.spec.ts): a workflow over a store without issues. */
function idleWorkflow(reader: IssueReader): IssueWorkflow {
  const state: IssueStateAdmin = { updateStatus: async () => null, assign: async () => null, historyOf: async () => new Map() };
  return new IssueWorkflow(state, { upsert: async () => undefined }, reader, { publish: async () => undefined });
}

describe('grouping configuration over GraphQL', () => {
  let store: FakeGroupingConfigStore;
  let reader: ReturnType<typeof fakeReader>;
  let server: ApolloServer<GatewayContext>;

  beforeEach(() => {
    store = new FakeGroupingConfigStore();
    reader = fakeReader();
    server = createApolloServer({ reader, lists: listServiceFor(reader), groupingConfig: store, workflow: idleWorkflow(reader) }, TEST_OPTIONS);
  });

  async function execute(query: string, variables: Record<string, unknown> = {}) {
    const response = await server.executeOperation({ query, variables }, { contextValue: testContext(reader, idleWorkflow(reader)) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  const CREATE = `mutation($input: GroupingRuleInput!) {
    createGroupingRule(input: $input) { id service errorType messageContains frameContains groupKey createdAt }
  }`;

  it('creates a rule for the default tenant from the given conditions only, and lists it flattened', async () => {
    const created = await execute(CREATE, { input: { service: 'checkout', messageContains: 'Payment declined', errorType: null, groupKey: '  checkout-failures ' } });
    expect(created.errors).toBeUndefined();
    expect(store.calls).toEqual([['addRule', 'default', { match: { service: 'checkout', messageContains: 'Payment declined' }, groupKey: 'checkout-failures' }]]);
    const expectedRule = {
      id: 'rule-1',
      service: 'checkout',
      errorType: null,
      messageContains: 'Payment declined',
      frameContains: null,
      groupKey: 'checkout-failures',
      createdAt: '2026-11-25T01:51:41.272Z',
    };
    expect(created.data).toEqual({ createGroupingRule: expectedRule });

    const listed = await execute('{ groupingRules { id service errorType messageContains frameContains groupKey createdAt } }');
    expect(listed.data).toEqual({ groupingRules: [expectedRule] });
  });

  it('rejects a rule without any condition as BAD_USER_INPUT and stores nothing', async () => {
    const result = await execute(CREATE, { input: { service: null, groupKey: 'everything' } });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: 'input: a rule needs at least one condition: service, errorType, messageContains, frameContains',
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'input', fields: ['input'] },
    });
    expect(store.calls).toEqual([]);
  });

  it.each([
    ['an empty condition', { frameContains: '', groupKey: 'k' }, 'frameContains'],
    ['a blank group key', { errorType: 'TypeError', groupKey: '   ' }, 'groupKey'],
    ['a group key over 256 characters', { errorType: 'TypeError', groupKey: 'k'.repeat(257) }, 'groupKey'],
    ['a message condition over 1024 characters', { messageContains: 'm'.repeat(1025), groupKey: 'k' }, 'messageContains'],
  ])('rejects %s as BAD_USER_INPUT naming the field', async (_, input, field) => {
    const result = await execute(CREATE, { input });
    expect(result.errors?.[0].message).toMatch(new RegExp(`^input\\.${field}: `));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input', fields: [field] });
    expect(store.calls).toEqual([]);
  });

  it("turns the store's own refusal (the rule limit) into BAD_USER_INPUT, and leaves other failures internal", async () => {
    store.addRule = async () => {
      throw new InvalidGroupingConfigError('rules', 'a tenant has at most 200 grouping rules; delete one first');
    };
    const full = await execute(CREATE, { input: { errorType: 'TypeError', groupKey: 'k' } });
    expect(full.errors?.[0]).toMatchObject({
      message: 'input.rules: a tenant has at most 200 grouping rules; delete one first',
      extensions: { code: 'BAD_USER_INPUT', fields: ['rules'] },
    });

    store.setInAppPatterns = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    const down = await execute('mutation { setInAppPatterns(input: { include: [], exclude: [] }) { include } }');
    expect(down.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('deletes by id and answers whether there was such a rule', async () => {
    await execute(CREATE, { input: { errorType: 'TypeError', groupKey: 'type-errors' } });
    const deleted = await execute('mutation($id: ID!) { deleteGroupingRule(id: $id) }', { id: 'rule-1' });
    expect(deleted.data).toEqual({ deleteGroupingRule: true });
    const again = await execute('mutation($id: ID!) { deleteGroupingRule(id: $id) }', { id: 'rule-1' });
    expect(again.data).toEqual({ deleteGroupingRule: false });
    expect(store.calls.filter((call) => call[0] === 'deleteRule')).toEqual([
      ['deleteRule', 'default', 'rule-1'],
      ['deleteRule', 'default', 'rule-1'],
    ]);
    expect((await execute('{ groupingRules { id } }')).data).toEqual({ groupingRules: [] });
  });

  it('replaces the in-app patterns and reads them back', async () => {
    const set = await execute('mutation($input: InAppPatternsInput!) { setInAppPatterns(input: $input) { include exclude } }', {
      input: { include: ['*/vendored/acme/*'], exclude: ['*payments.js'] },
    });
    expect(set.data).toEqual({ setInAppPatterns: { include: ['*/vendored/acme/*'], exclude: ['*payments.js'] } });
    expect(store.calls).toEqual([['setInAppPatterns', 'default', { include: ['*/vendored/acme/*'], exclude: ['*payments.js'] }]]);
    expect((await execute('{ inAppPatterns { include exclude } }')).data).toEqual({ inAppPatterns: { include: ['*/vendored/acme/*'], exclude: ['*payments.js'] } });
  });

  it('rejects an empty pattern as BAD_USER_INPUT naming its position', async () => {
    const result = await execute('mutation($input: InAppPatternsInput!) { setInAppPatterns(input: $input) { include } }', {
      input: { include: [], exclude: ['*.js', ''] },
    });
    expect(result.errors?.[0].message).toMatch(/^input\.exclude\[1\]: /);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['exclude[1]'] });
    expect(store.calls).toEqual([]);
  });
});

describe('Issue.frames', () => {
  it('loads the latest frames of a whole page of issues in one reader call; an issue without occurrences has none', async () => {
    const reader = fakeReader();
    const server = createApolloServer({ reader, lists: listServiceFor(reader), groupingConfig: new FakeGroupingConfigStore(), workflow: idleWorkflow(reader) }, TEST_OPTIONS);
    const response = await server.executeOperation(
      { query: '{ issues { edges { node { id fingerprintVersion culprit frames { function file module line column inApp } } } } }' },
      { contextValue: testContext(reader, idleWorkflow(reader)) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors).toBeUndefined();
    const nodes = (response.body.singleResult.data as { issues: { edges: { node: { id: string; frames: StackFrame[] } }[] } }).issues.edges.map((edge) => edge.node);
    expect(nodes.map((node) => [node.id, node.frames])).toEqual([
      ['a', [FRAME, LIBRARY_FRAME]],
      ['b', [FRAME, LIBRARY_FRAME]],
      ['c', []],
    ]);
    expect(reader.latestFramesCalls).toEqual([['a', 'b', 'c']]);
  });
});

describe('argument parsing', () => {
  it('drops null conditions and trims the group key', () => {
    expect(newGroupingRule({ service: null, errorType: 'TypeError', messageContains: undefined, frameContains: 'cart', groupKey: ' cart ' })).toEqual({
      match: { errorType: 'TypeError', frameContains: 'cart' },
      groupKey: 'cart',
    });
  });

  it('names every bad field in one error', () => {
    let thrown: unknown;
    try {
      newGroupingRule({ service: '', groupKey: '' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['service', 'groupKey'] });
  });

  it('passes valid in-app patterns through unchanged', () => {
    expect(inAppPatterns({ include: ['acme.*'], exclude: [] })).toEqual({ include: ['acme.*'], exclude: [] });
    expect(() => inAppPatterns({ include: Array.from({ length: 101 }, () => 'x'), exclude: [] })).toThrow(/^input\.include: /);
  });
});
