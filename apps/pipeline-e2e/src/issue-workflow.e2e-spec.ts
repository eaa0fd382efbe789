import { randomBytes } from 'node:crypto';
import { type CorpusCase, readCorpus } from '@faultline/domain/corpus';
import { corpusSpan, putDatadogTraces } from './support/datadog-spans';
import { eventually, graphql, graphqlResponse } from './support/graphql-client';
import { type IssueEventsReader, readIssueEvents } from './support/issue-events';
import { gatewayUrl } from './support/issues';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;
const ACTOR = 'e2e-alice@example.com';

interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  assignee: string | null;
}

interface WorkflowIssue {
  id: string;
  errorType: string;
  status: string;
  count: number;
  regression: boolean;
  isNew: boolean;
  assignee: string | null;
  lastVersion: string | null;
  history: HistoryEntry[];
}

const ISSUE_FIELDS = 'id errorType status count regression isNew assignee lastVersion history { at actor action from to assignee }';

async function listIssues(service: string, status?: string[]): Promise<{ totalCount: number; nodes: WorkflowIssue[] }> {
  const data = await graphql<{ issues: { totalCount: number; edges: { node: WorkflowIssue }[] } }>(
    gatewayUrl(),
    `query($filter: IssueFilter) { issues(filter: $filter, first: 50) { totalCount edges { node { ${ISSUE_FIELDS} } } } }`,
    { filter: { service, ...(status ? { status } : {}) } },
  );
  return { totalCount: data.issues.totalCount, nodes: data.issues.edges.map((edge) => edge.node) };
}

async function issueById(id: string): Promise<WorkflowIssue | null> {
  return (await graphql<{ issue: WorkflowIssue | null }>(gatewayUrl(), `query($id: ID!) { issue(id: $id) { ${ISSUE_FIELDS} } }`, { id })).issue;
}

/** Waits until the issue satisfies `done`; fails with its last state otherwise. */
async function issueWhen(id: string, done: (issue: WorkflowIssue) => boolean): Promise<WorkflowIssue> {
  const issue = await eventually(() => issueById(id), (found) => found !== null && done(found));
  if (!issue || !done(issue)) throw new Error(`issue ${id} never reached the expected state; last: ${JSON.stringify(issue)}`);
  return issue;
}

async function updateStatus(id: string, status: string, actor = ACTOR): Promise<WorkflowIssue> {
  const data = await graphql<{ updateIssueStatus: WorkflowIssue }>(
    gatewayUrl(),
    `mutation($id: ID!, $status: IssueStatus!) { updateIssueStatus(id: $id, status: $status) { ${ISSUE_FIELDS} } }`,
    { id, status },
    { 'x-faultline-actor': actor },
  );
  return data.updateIssueStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('issue triage workflow through the whole pipeline', () => {
  const suffix = randomBytes(4).toString('hex');
  const corpus = readCorpus();
  const corpusCase = (group: string): CorpusCase => {
    const found = corpus.find((testCase) => testCase.language === 'node' && testCase.group === group && testCase.variant === 'release-v41');
    if (!found) throw new Error(`no corpus case node/${group}/release-v41`);
    return found;
  };
  const charge = corpusCase('payment-declined-charge');
  const refund = corpusCase('payment-declined-refund');
  let nextSpanId = Number.parseInt(randomBytes(5).toString('hex'), 16) * 1000;
  let nextStartMs = Date.now();
  let issueEvents: IssueEventsReader;

  /** One Datadog v0.4 error span of `testCase` for `service`, reporting `version` (the tracer's DD_VERSION). */
  async function send(service: string, testCase: CorpusCase, version: string): Promise<void> {
    const span = corpusSpan(testCase, service, nextSpanId++, BigInt(nextStartMs++) * 1_000_000n);
    span.meta = { ...span.meta, version };
    expect(await putDatadogTraces(ingestionUrl, [[span]])).toBe(200);
  }

  /** The issues of `service` (any status) once `count` of them exist; fails if more appear. */
  async function firstIssueOf(service: string, count = 1): Promise<WorkflowIssue[]> {
    const all = ['FOR_REVIEW', 'REVIEWED', 'IGNORED', 'RESOLVED'];
    const listed = await eventually(
      () => listIssues(service, all),
      (issues) => issues.totalCount >= count,
    );
    expect(listed.totalCount).toBe(count);
    return listed.nodes;
  }

  beforeAll(async () => {
    issueEvents = await readIssueEvents();
  });

  afterAll(async () => {
    await issueEvents?.stop();
  });

  describe('resolve, then a regression in a newer version', () => {
    const service = `wf-regress-${suffix}`;
    let issueId: string;

    it('makes a new issue FOR_REVIEW and new, with a created entry in its history', async () => {
      await send(service, charge, '1.4.2');
      const [issue] = await firstIssueOf(service);
      issueId = issue.id;
      expect(issue).toMatchObject({ status: 'FOR_REVIEW', isNew: true, regression: false, assignee: null, count: 1, lastVersion: '1.4.2' });
      expect(issue.history).toEqual([expect.objectContaining({ actor: 'system', action: 'created', from: null, to: 'FOR_REVIEW' })]);
      expect(Date.parse(issue.history[0].at)).toBeGreaterThan(Date.now() - 120_000);
    });

    it('resolves it, recording the actor the header names', async () => {
      const resolved = await updateStatus(issueId, 'RESOLVED');
      expect(resolved).toMatchObject({ id: issueId, status: 'RESOLVED', isNew: false, regression: false });
      expect(resolved.history.map((entry) => [entry.action, entry.actor, entry.from, entry.to])).toEqual([
        ['created', 'system', null, 'FOR_REVIEW'],
        ['status_changed', ACTOR, 'FOR_REVIEW', 'RESOLVED'],
      ]);
      // The list reads the ClickHouse projection, which the mutation updated at once.
      expect((await listIssues(service)).nodes.map((issue) => [issue.id, issue.status])).toEqual([[issueId, 'RESOLVED']]);
    });

    it('keeps it RESOLVED (still counting) when the same version fails again', async () => {
      await send(service, charge, '1.4.2');
      await issueWhen(issueId, (issue) => issue.count === 2);
      await sleep(1500);
      const issue = await issueById(issueId);
      expect(issue).toMatchObject({ status: 'RESOLVED', regression: false, count: 2 });
      expect(issue?.history.map((entry) => entry.action)).toEqual(['created', 'status_changed']);
    });

    it('reopens it as a regression when a newer version fails', async () => {
      await send(service, charge, '1.5.0');
      const issue = await issueWhen(issueId, (found) => found.count === 3);
      expect(issue).toMatchObject({ status: 'FOR_REVIEW', regression: true, lastVersion: '1.5.0' });
      expect(issue.history.map((entry) => [entry.action, entry.actor, entry.from, entry.to])).toEqual([
        ['created', 'system', null, 'FOR_REVIEW'],
        ['status_changed', ACTOR, 'FOR_REVIEW', 'RESOLVED'],
        ['regressed', 'system', 'RESOLVED', 'FOR_REVIEW'],
      ]);
    });

    it('assigns it, which moves it to REVIEWED', async () => {
      const data = await graphql<{ assignIssue: WorkflowIssue }>(
        gatewayUrl(),
        `mutation($id: ID!, $assignee: String) { assignIssue(id: $id, assignee: $assignee) { ${ISSUE_FIELDS} } }`,
        { id: issueId, assignee: 'bob' },
        { 'x-faultline-actor': ACTOR },
      );
      expect(data.assignIssue).toMatchObject({ id: issueId, status: 'REVIEWED', assignee: 'bob' });
      expect(data.assignIssue.history).toContainEqual(expect.objectContaining({ action: 'assigned', actor: ACTOR, assignee: 'bob' }));
      expect((await listIssues(service)).nodes.map((issue) => [issue.status, issue.assignee])).toEqual([['REVIEWED', 'bob']]);
    });

    it('emits created, status_changed, regressed and assigned to issue-events, in order, keyed by the issue', async () => {
      const ofIssue = () => issueEvents.events.filter((event) => event.issueId === issueId);
      await eventually(
        async () => ofIssue(),
        (events) => events.some((event) => event.change.action === 'assigned'),
      );
      const events = ofIssue();
      expect(events.slice(0, 3).map((event) => [event.change.action, event.change.actor, event.change.from, event.change.to])).toEqual([
        ['created', 'system', null, 'FOR_REVIEW'],
        ['status_changed', ACTOR, 'FOR_REVIEW', 'RESOLVED'],
        ['regressed', 'system', 'RESOLVED', 'FOR_REVIEW'],
      ]);
      // Assigning a FOR_REVIEW issue records the assignment and the move to REVIEWED.
      expect(events.slice(3).map((event) => event.change.action)).toContain('assigned');
      expect(events.find((event) => event.change.action === 'assigned')?.change).toMatchObject({ actor: ACTOR, assignee: 'bob' });
      const keys = issueEvents.keys.filter((_, index) => issueEvents.events[index].issueId === issueId);
      expect(new Set(keys)).toEqual(new Set([issueId]));
      expect(events.every((event) => event.schema === 'issue-event/v1' && event.service === service && event.errorType === charge.errorType)).toBe(true);
    });
  });

  describe('ignore', () => {
    const service = `wf-ignore-${suffix}`;

    it('hides an ignored issue from the default list, shows it by status, and keeps counting it', async () => {
      await send(service, refund, '2.0.0');
      const [issue] = await firstIssueOf(service);
      expect((await updateStatus(issue.id, 'IGNORED')).status).toBe('IGNORED');

      expect(await listIssues(service)).toEqual({ totalCount: 0, nodes: [] });
      const ignored = await listIssues(service, ['IGNORED']);
      expect(ignored.nodes.map((node) => [node.id, node.status])).toEqual([[issue.id, 'IGNORED']]);

      await send(service, refund, '2.0.1');
      const counted = await issueWhen(issue.id, (found) => found.count === 2);
      expect(counted.status).toBe('IGNORED');
      expect((await listIssues(service)).totalCount).toBe(0);
    });
  });

  describe('bulk update', () => {
    const service = `wf-bulk-${suffix}`;

    it('sets the status of every issue the filter lists, and answers them', async () => {
      await send(service, charge, '3.0.0');
      await send(service, refund, '3.0.0');
      const issues = await firstIssueOf(service, 2);

      const data = await graphql<{ updateIssueStatuses: WorkflowIssue[] }>(
        gatewayUrl(),
        `mutation($filter: IssueFilter!, $status: IssueStatus!) { updateIssueStatuses(filter: $filter, status: $status) { ${ISSUE_FIELDS} } }`,
        { filter: { service }, status: 'RESOLVED' },
        { 'x-faultline-actor': ACTOR },
      );
      expect(data.updateIssueStatuses.map((issue) => issue.id).sort()).toEqual(issues.map((issue) => issue.id).sort());
      expect(data.updateIssueStatuses.every((issue) => issue.status === 'RESOLVED')).toBe(true);
      expect((await listIssues(service)).nodes.map((issue) => issue.status)).toEqual(['RESOLVED', 'RESOLVED']);

      const events = await eventually(
        async () => issueEvents.events.filter((event) => event.service === service && event.change.action === 'status_changed'),
        (found) => found.length >= 2,
      );
      expect(events.map((event) => [event.change.actor, event.change.to])).toEqual([
        [ACTOR, 'RESOLVED'],
        [ACTOR, 'RESOLVED'],
      ]);
    });
  });

  it('answers NOT_FOUND for an unknown issue id', async () => {
    for (const mutation of [
      'mutation { updateIssueStatus(id: "no-such-issue", status: RESOLVED) { id } }',
      'mutation { assignIssue(id: "no-such-issue", assignee: "bob") { id } }',
    ]) {
      const response = await graphqlResponse(gatewayUrl(), mutation);
      expect(response.data).toBeNull();
      expect(response.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
  });
});
