import { ApolloServer } from '@apollo/server';
import { IssueChange, issueEventCodec, IssueEventMessage, IssueRecord, IssueStatus } from '@faultline/contracts';
import { IssueStateAdmin } from '../issue-workflow/issue-workflow.port';
import { BULK_UPDATE_CAP, IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { GroupingConfigAdmin } from './grouping-config.port';
import { createApolloServer } from './graphql.server';
import { IssueListFilter, IssueReader } from './issue-reader.port';
import { listServiceFor, readerWith, testContext, TEST_OPTIONS } from '../testing/gateway-test-kit';
import { GatewayContext } from './request-context';

const NOW = 1_795_571_501_272; // 2026-11-25T01:51:41.272Z
const HOUR = 3_600_000;

function issueRecord(issueId: string, overrides: Partial<IssueRecord> = {}): IssueRecord {
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
    firstSeenMs: NOW - HOUR,
    lastSeenMs: NOW - HOUR,
    env: null,
    envs: [],
    firstVersion: '1.0.0',
    lastVersion: '1.0.0',
    regression: false,
    assignee: null,
    resolvedInVersion: null,
    revision: 1,
    ...overrides,
  };
}

/** In-memory state with the contract of IssueStateStore's workflow methods; records every call. */
class FakeIssueState implements IssueStateAdmin {
  readonly issues = new Map<string, IssueRecord>();
  readonly changes = new Map<string, IssueChange[]>();
  readonly calls: unknown[][] = [];

  add(record: IssueRecord, history: IssueChange[] = []): void {
    this.issues.set(record.issueId, record);
    this.changes.set(record.issueId, history);
  }

  async updateStatus(tenant: string, issueId: string, status: IssueStatus, actor: string, nowMs: number) {
    this.calls.push(['updateStatus', tenant, issueId, status, actor, nowMs]);
    const current = this.issues.get(issueId);
    if (!current) return null;
    if (current.status === status) return { record: current, change: null };
    const change: IssueChange = { atMs: nowMs, actor, action: 'status_changed', from: current.status, to: status, assignee: null };
    return { record: this.write(current, { status, regression: false }, [change]), change };
  }

  async assign(tenant: string, issueId: string, assignee: string | null, actor: string, nowMs: number) {
    this.calls.push(['assign', tenant, issueId, assignee, actor, nowMs]);
    const current = this.issues.get(issueId);
    if (!current) return null;
    const changes: IssueChange[] = [{ atMs: nowMs, actor, action: 'assigned', from: null, to: null, assignee }];
    let status = current.status;
    if (assignee !== null && status === 'FOR_REVIEW') {
      status = 'REVIEWED';
      changes.push({ atMs: nowMs, actor, action: 'status_changed', from: 'FOR_REVIEW', to: 'REVIEWED', assignee: null });
    }
    return { record: this.write(current, { assignee, status }, changes), changes };
  }

  async historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>> {
    this.calls.push(['historyOf', tenant, [...issueIds]]);
    return new Map(issueIds.map((issueId) => [issueId, this.changes.get(issueId) ?? []]));
  }

  private write(current: IssueRecord, update: Partial<IssueRecord>, changes: IssueChange[]): IssueRecord {
    const record = { ...current, ...update, revision: current.revision + 1 };
    this.issues.set(record.issueId, record);
    this.changes.set(record.issueId, [...(this.changes.get(record.issueId) ?? []), ...changes]);
    return record;
  }
}

/** Lists the fake state's issues (insertion order) with the service and status filters; records each list call. */
function fakeReader(state: FakeIssueState): IssueReader & { listCalls: { filter: IssueListFilter; limit: number }[] } {
  const listCalls: { filter: IssueListFilter; limit: number }[] = [];
  return Object.assign(
    readerWith({
      orderedIssueIds: async (_tenant, filter, _sort, _now, limit) => {
        listCalls.push({ filter, limit });
        const matching = [...state.issues.values()].filter(
          (issue) => (!filter.service || issue.service === filter.service) && filter.statuses.includes(issue.status),
        );
        return { ids: matching.slice(0, limit).map((issue) => issue.issueId), totalCount: matching.length };
      },
      issuesByIds: async (_tenant, issueIds) => issueIds.flatMap((id) => state.issues.get(id) ?? []),
      getIssue: async (_tenant, issueId) => state.issues.get(issueId) ?? null,
    }),
    { listCalls },
  );
}

const noGroupingConfig: GroupingConfigAdmin = {
  get: async () => ({ rules: [], inApp: { include: [], exclude: [] } }),
  addRule: async () => {
    throw new Error('not used');
  },
  deleteRule: async () => false,
  setInAppPatterns: async (_tenant, patterns) => patterns,
};

describe('triage over GraphQL', () => {
  let state: FakeIssueState;
  let reader: ReturnType<typeof fakeReader>;
  let upserts: IssueRecord[][];
  let published: IssueEventMessage[][];
  let server: ApolloServer<GatewayContext>;
  let workflow: IssueWorkflow;

  beforeEach(() => {
    state = new FakeIssueState();
    reader = fakeReader(state);
    upserts = [];
    published = [];
    workflow = new IssueWorkflow(
      state,
      { upsert: async (records) => void upserts.push([...records]) },
      reader,
      { publish: async (events) => void published.push([...events]) },
      () => NOW,
    );
    server = createApolloServer({ reader, lists: listServiceFor(reader, () => NOW), groupingConfig: noGroupingConfig, workflow, now: () => NOW }, TEST_OPTIONS);
  });

  async function execute(query: string, variables: Record<string, unknown> = {}, actorHeader?: string | string[]) {
    const response = await server.executeOperation({ query, variables }, { contextValue: testContext(reader, workflow, actorHeader, () => NOW) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  }

  const UPDATE = 'mutation($id: ID!, $status: IssueStatus!) { updateIssueStatus(id: $id, status: $status) { id status regression history { at actor action from to } } }';
  const ASSIGN = 'mutation($id: ID!, $assignee: String) { assignIssue(id: $id, assignee: $assignee) { id status assignee } }';
  const BULK = 'mutation($filter: IssueFilter!, $status: IssueStatus!) { updateIssueStatuses(filter: $filter, status: $status) { id status } }';

  it('updates the status as the header names the actor, projects the record and emits one status_changed event', async () => {
    state.add(issueRecord('a', { status: 'FOR_REVIEW', regression: true }));
    const result = await execute(UPDATE, { id: 'a', status: 'RESOLVED' }, '  alice@example.com ');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      updateIssueStatus: {
        id: 'a',
        status: 'RESOLVED',
        regression: false,
        history: [{ at: '2026-11-25T01:51:41.272Z', actor: 'alice@example.com', action: 'status_changed', from: 'FOR_REVIEW', to: 'RESOLVED' }],
      },
    });
    expect(state.calls[0]).toEqual(['updateStatus', 'default', 'a', 'RESOLVED', 'alice@example.com', NOW]);
    expect(upserts).toEqual([[expect.objectContaining({ issueId: 'a', status: 'RESOLVED', revision: 2 })]]);
    expect(published).toHaveLength(1);
    const [event] = published[0];
    // What goes on the topic must pass the contract's validator that consumers use.
    expect(issueEventCodec.decode(issueEventCodec.encode(event))).toEqual({
      schema: 'issue-event/v1',
      tenant: 'default',
      issueId: 'a',
      service: 'checkout',
      fingerprint: 'fp-a',
      errorType: 'PaymentDeclinedError',
      change: { atMs: NOW, actor: 'alice@example.com', action: 'status_changed', from: 'FOR_REVIEW', to: 'RESOLVED', assignee: null },
    });
  });

  it('records the actor as anonymous without the header or with a blank one', async () => {
    state.add(issueRecord('a'));
    await execute(UPDATE, { id: 'a', status: 'REVIEWED' });
    await execute(UPDATE, { id: 'a', status: 'RESOLVED' }, '   ');
    expect(state.calls.filter((call) => call[0] === 'updateStatus').map((call) => call[4])).toEqual(['anonymous', 'anonymous']);
  });

  it('rejects an actor header over 128 characters as BAD_USER_INPUT before changing anything', async () => {
    state.add(issueRecord('a'));
    const result = await execute(UPDATE, { id: 'a', status: 'RESOLVED' }, 'x'.repeat(129));
    expect(result.errors?.[0]).toMatchObject({
      message: 'x-faultline-actor: at most 128 characters, got 129',
      extensions: { code: 'BAD_USER_INPUT', header: 'x-faultline-actor' },
    });
    expect(state.calls).toEqual([]);
    expect((await execute(UPDATE, { id: 'a', status: 'RESOLVED' }, 'x'.repeat(128))).errors).toBeUndefined();
  });

  it('projects but emits nothing when the status does not change', async () => {
    state.add(issueRecord('a', { status: 'REVIEWED' }));
    const result = await execute(UPDATE, { id: 'a', status: 'REVIEWED' });
    expect(result.errors).toBeUndefined();
    expect(upserts).toHaveLength(1);
    expect(published).toEqual([]);
  });

  it.each([
    ['updateIssueStatus', UPDATE, { id: 'nope', status: 'RESOLVED' }],
    ['assignIssue', ASSIGN, { id: 'nope', assignee: 'bob' }],
  ])('answers NOT_FOUND from %s for an unknown id, writing nothing', async (_, mutation, variables) => {
    const result = await execute(mutation, variables);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ message: 'no issue with id nope', extensions: { code: 'NOT_FOUND', argumentName: 'id', id: 'nope' } });
    expect(upserts).toEqual([]);
    expect(published).toEqual([]);
  });

  it('leaves storage failures internal', async () => {
    state.updateStatus = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    const result = await execute(UPDATE, { id: 'a', status: 'RESOLVED' });
    expect(result.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('assigns a FOR_REVIEW issue (trimmed name), moving it to REVIEWED with one event per change; null unassigns', async () => {
    state.add(issueRecord('a'));
    const assigned = await execute(ASSIGN, { id: 'a', assignee: ' bob ' }, 'alice');
    expect(assigned.data).toEqual({ assignIssue: { id: 'a', status: 'REVIEWED', assignee: 'bob' } });
    expect(state.calls[0]).toEqual(['assign', 'default', 'a', 'bob', 'alice', NOW]);
    expect(published[0].map((event) => [event.issueId, event.change.action, event.change.assignee, event.change.to])).toEqual([
      ['a', 'assigned', 'bob', null],
      ['a', 'status_changed', null, 'REVIEWED'],
    ]);

    const unassigned = await execute(ASSIGN, { id: 'a', assignee: null }, 'alice');
    expect(unassigned.data).toEqual({ assignIssue: { id: 'a', status: 'REVIEWED', assignee: null } });
    const omitted = await execute('mutation { assignIssue(id: "a") { assignee } }');
    expect(omitted.data).toEqual({ assignIssue: { assignee: null } });
    expect(state.calls.slice(1).map((call) => call[3])).toEqual([null, null]);
  });

  it.each([
    ['a blank assignee', '  '],
    ['an assignee over 128 characters', 'b'.repeat(129)],
  ])('rejects %s as BAD_USER_INPUT', async (_, assignee) => {
    state.add(issueRecord('a'));
    const result = await execute(ASSIGN, { id: 'a', assignee });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'assignee' });
    expect(state.calls).toEqual([]);
  });

  it('bulk-updates every issue the list shows for the filter, read in one list query, with one projection write and one send', async () => {
    for (let index = 0; index < 250; index++) state.add(issueRecord(`c${String(index).padStart(3, '0')}`));
    state.add(issueRecord('ignored', { status: 'IGNORED' }));
    state.add(issueRecord('elsewhere', { service: 'search' }));
    const result = await execute(BULK, { filter: { service: 'checkout' }, status: 'RESOLVED' }, 'alice');
    expect(result.errors).toBeUndefined();
    const updated = (result.data as { updateIssueStatuses: { id: string; status: string }[] }).updateIssueStatuses;
    expect(updated).toHaveLength(250);
    expect(updated.every((issue) => issue.status === 'RESOLVED')).toBe(true);
    // The default status filter, as the list: IGNORED issues stay out.
    expect(reader.listCalls).toEqual([
      { filter: expect.objectContaining({ service: 'checkout', statuses: ['FOR_REVIEW', 'REVIEWED', 'RESOLVED'] }), limit: BULK_UPDATE_CAP + 1 },
    ]);
    expect(state.issues.get('ignored')?.status).toBe('IGNORED');
    expect(state.issues.get('elsewhere')?.status).toBe('FOR_REVIEW');
    expect(upserts).toHaveLength(1);
    expect(upserts[0]).toHaveLength(250);
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(250);
    expect(new Set(published[0].map((event) => event.change.actor))).toEqual(new Set(['alice']));
  });

  it(`refuses a bulk update matching more than ${BULK_UPDATE_CAP} issues as BAD_USER_INPUT, changing nothing`, async () => {
    for (let index = 0; index <= BULK_UPDATE_CAP; index++) state.add(issueRecord(`c${index}`));
    const result = await execute(BULK, { filter: { service: 'checkout' }, status: 'IGNORED' });
    expect(result.errors?.[0]).toMatchObject({
      message: 'filter: the filter matches 1001 issues; a bulk update changes at most 1000: narrow the filter',
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter', matching: 1001, cap: 1000 },
    });
    expect(state.calls).toEqual([]);
    expect(upserts).toEqual([]);

    state.issues.delete('c0');
    expect((await execute(BULK, { filter: { service: 'checkout' }, status: 'IGNORED' })).errors).toBeUndefined();
    expect(upserts[0]).toHaveLength(BULK_UPDATE_CAP);
  });

  it('answers an empty list when the filter matches nothing', async () => {
    const result = await execute(BULK, { filter: { status: ['RESOLVED'] }, status: 'FOR_REVIEW' });
    expect(result.data).toEqual({ updateIssueStatuses: [] });
    expect(published).toEqual([]);
  });
});

describe('Issue triage fields', () => {
  it('derives isNew (FOR_REVIEW and first seen under 48 h ago), and loads each listed issue’s history once', async () => {
    const state = new FakeIssueState();
    const created: IssueChange = { atMs: NOW - HOUR, actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW', assignee: null };
    state.add(issueRecord('fresh', { firstSeenMs: NOW - 47 * HOUR }), [created]);
    state.add(issueRecord('old', { firstSeenMs: NOW - 49 * HOUR }));
    state.add(issueRecord('triaged', { status: 'REVIEWED', assignee: 'bob', regression: true }));
    const reader = fakeReader(state);
    const workflow = new IssueWorkflow(state, { upsert: async () => undefined }, reader, { publish: async () => undefined }, () => NOW);
    const server = createApolloServer({ reader, lists: listServiceFor(reader, () => NOW), groupingConfig: noGroupingConfig, workflow, now: () => NOW }, TEST_OPTIONS);
    const response = await server.executeOperation(
      { query: '{ issues(filter: { status: [FOR_REVIEW, REVIEWED] }) { edges { node { id isNew regression assignee history { at actor action from to assignee } again: history { action } } } } }' },
      { contextValue: testContext(reader, workflow, undefined, () => NOW) },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors).toBeUndefined();
    const data = response.body.singleResult.data as { issues: { edges: { node: Record<string, unknown> }[] } };
    expect(data.issues.edges.map((edge) => edge.node)).toEqual([
      {
        id: 'fresh',
        isNew: true,
        regression: false,
        assignee: null,
        history: [{ at: '2026-11-25T00:51:41.272Z', actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW', assignee: null }],
        again: [{ action: 'created' }],
      },
      { id: 'old', isNew: false, regression: false, assignee: null, history: [], again: [] },
      { id: 'triaged', isNew: false, regression: true, assignee: 'bob', history: [], again: [] },
    ]);
    // One batched read for the page, each issue once although the query asks twice.
    expect(state.calls).toEqual([['historyOf', 'default', ['fresh', 'old', 'triaged']]]);
  });
});
