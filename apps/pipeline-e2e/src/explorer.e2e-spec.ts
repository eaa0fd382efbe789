import { randomBytes } from 'node:crypto';
import { type CorpusCase, readCorpus } from '@faultline/domain/corpus';
import { corpusSpan, putDatadogTraces } from './support/datadog-spans';
import { eventually, graphql, graphqlResponse } from './support/graphql-client';
import { gatewayUrl } from './support/issues';

/*
 * The explorer API against the running stack: Datadog spans in (with chosen times, versions, envs,
 * hosts and routes), then sorts, filters, facets, stable pagination and issue detail over GraphQL,
 * each checked against what was sent.
 */

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;
const HOUR = 3_600_000;
const MINUTE = 60_000;

interface ListedIssue {
  id: string;
  errorType: string;
  count: number;
}

interface Connection {
  totalCount: number;
  edges: { cursor: string; node: ListedIssue }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const LIST = `query($filter: IssueFilter, $sort: IssueSort, $first: Int, $after: String) {
  issues(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount edges { cursor node { id errorType count } } pageInfo { hasNextPage endCursor }
  }
}`;

async function list(variables: Record<string, unknown>): Promise<Connection> {
  return (await graphql<{ issues: Connection }>(gatewayUrl(), LIST, variables)).issues;
}

describe('explorer API over the running pipeline', () => {
  const suffix = randomBytes(4).toString('hex');
  const api = `ex-api-${suffix}`;
  const worker = `ex-worker-${suffix}`;
  const corpus = readCorpus();
  const corpusCase = (group: string): CorpusCase => {
    const found = corpus.find((testCase) => testCase.language === 'node' && testCase.group === group && testCase.variant === 'release-v41');
    if (!found) throw new Error(`no corpus case node/${group}/release-v41`);
    return found;
  };
  const charge = corpusCase('payment-declined-charge');
  const refund = corpusCase('payment-declined-refund');
  // Times are placed relative to the current hour's start: lists count in whole UTC hours, so
  // hour-aligned ranges make every expectation exact whatever the minute the run starts at.
  const H0 = Math.floor(Date.now() / HOUR) * HOUR;
  // Every span carries this tag, so `runScope` lists this run's issues only.
  const runTag = `e2e.run:${suffix}`;
  let nextSpanId = Number.parseInt(randomBytes(5).toString('hex'), 16) * 1000;
  const ids: Record<'charge' | 'refund' | 'worker', string> = { charge: '', refund: '', worker: '' };

  async function send(service: string, testCase: CorpusCase, timeMs: number, meta: Record<string, string>): Promise<void> {
    const span = corpusSpan(testCase, service, nextSpanId++, BigInt(timeMs) * 1_000_000n);
    span.meta = { ...span.meta, ...meta, 'e2e.run': suffix };
    expect(await putDatadogTraces(ingestionUrl, [[span]])).toBe(200);
  }

  const production = (version: string, host: string, route: string) => ({ env: 'production', version, host, 'http.route': route });

  beforeAll(async () => {
    // charge (api): 2 in the hour three hours back on 1.0.0, 4 in the previous hour on 1.1.0 over two hosts.
    await send(api, charge, H0 - 3 * HOUR + 10 * MINUTE, production('1.0.0', 'web-1', '/charge'));
    await send(api, charge, H0 - 3 * HOUR + 11 * MINUTE, production('1.0.0', 'web-1', '/charge'));
    for (let index = 0; index < 4; index++) await send(api, charge, H0 - 30 * MINUTE + index * 1000, production('1.1.0', `web-${1 + (index % 2)}`, '/charge'));
    // refund (api): 2 in the hour two hours back, on staging.
    await send(api, refund, H0 - 2 * HOUR + 10 * MINUTE, { env: 'staging', version: '1.0.0', host: 'stage-1', 'http.route': '/refund' });
    await send(api, refund, H0 - 2 * HOUR + 11 * MINUTE, { env: 'staging', version: '1.0.0', host: 'stage-1', 'http.route': '/refund' });
    // worker: 1 in the previous hour.
    await send(worker, charge, H0 - 20 * MINUTE, production('2.0.0', 'job-1', '/charge'));

    const settled = await eventually(
      () => list({ filter: { tags: [runTag] }, first: 10 }).catch(() => null),
      (connection) => connection !== null && connection.edges.reduce((sum, edge) => sum + edge.node.count, 0) === 9,
      60_000,
    );
    if (!settled || settled.totalCount !== 3) throw new Error(`the pipeline did not settle: ${JSON.stringify(settled)}`);
    const apiIssues = await list({ filter: { service: api }, sort: { field: 'COUNT' } });
    [ids.charge, ids.refund] = apiIssues.edges.map((edge) => edge.node.id);
    ids.worker = (await list({ filter: { service: worker } })).edges[0].node.id;
  });

  const idsOf = (connection: Connection) => connection.edges.map((edge) => edge.node.id);

  it('sorts by count, last seen, first seen and relevance, both ways', async () => {
    const sorted = async (field: string, direction = 'DESC') => idsOf(await list({ filter: { service: api }, sort: { field, direction } }));
    expect(await sorted('COUNT')).toEqual([ids.charge, ids.refund]);
    expect(await sorted('COUNT', 'ASC')).toEqual([ids.refund, ids.charge]);
    expect(await sorted('LAST_SEEN')).toEqual([ids.charge, ids.refund]);
    expect(await sorted('FIRST_SEEN')).toEqual([ids.refund, ids.charge]);
    expect(await sorted('FIRST_SEEN', 'ASC')).toEqual([ids.charge, ids.refund]);
    // charge fired 4 times in the last hour; refund has been quiet for two hours.
    expect(await sorted('RELEVANCE')).toEqual([ids.charge, ids.refund]);
    const counts = (await list({ filter: { service: api }, sort: { field: 'COUNT' } })).edges.map((edge) => edge.node.count);
    expect(counts).toEqual([6, 2]);
  });

  it('filters by time range, version, env, first seen, span tags and text', async () => {
    const matching = async (filter: { tags?: string[] } & Record<string, unknown>) =>
      idsOf(await list({ filter: { ...filter, tags: [runTag, ...(filter.tags ?? [])] }, sort: { field: 'FIRST_SEEN', direction: 'ASC' } }));
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await matching({})).toEqual([ids.charge, ids.refund, ids.worker]);
    expect(await matching({ service: api })).toEqual([ids.charge, ids.refund]);
    expect(await matching({ from: iso(H0 - HOUR) })).toEqual([ids.charge, ids.worker]);
    expect(await matching({ from: iso(H0 - 2 * HOUR), to: iso(H0 - HOUR) })).toEqual([ids.refund]);
    expect(await matching({ to: iso(H0 - 2 * HOUR) })).toEqual([ids.charge]);
    expect(await matching({ version: '1.1.0' })).toEqual([ids.charge]);
    expect(await matching({ version: '1.0.0' })).toEqual([ids.charge, ids.refund]);
    expect(await matching({ env: 'staging' })).toEqual([ids.refund]);
    expect(await matching({ firstSeenAfter: iso(H0 - 2 * HOUR) })).toEqual([ids.refund, ids.worker]);
    expect(await matching({ search: 'refund' })).toEqual([ids.refund]);
    expect(await matching({ tags: ['http.route:/refund'] })).toEqual([ids.refund]);
    expect(await matching({ tags: ['http.route:/charge', 'host:job-1'] })).toEqual([ids.worker]);
    expect(await matching({ tags: ['env:production'], service: worker })).toEqual([ids.worker]);

    // COUNT within a range counts only that range: since the previous hour, charge has 4 and worker 1;
    // ascending puts worker first although charge has 6 in all.
    const ranged = await list({ filter: { tags: [runTag], from: iso(H0 - HOUR) }, sort: { field: 'COUNT', direction: 'ASC' } });
    expect(idsOf(ranged)).toEqual([ids.worker, ids.charge]);
  });

  it('pages through a snapshot: an issue that moves while someone pages is listed once, and totalCount holds', async () => {
    const filter = { tags: [runTag] };
    const sort = { field: 'LAST_SEEN' };
    const first = await list({ filter, sort, first: 1 });
    expect(first.totalCount).toBe(3);
    expect(idsOf(first)).toEqual([ids.worker]);
    expect(first.pageInfo.hasNextPage).toBe(true);

    // refund, last on the list, becomes the most recent issue before the next page is read.
    await send(api, refund, Date.now(), { env: 'staging', version: '1.0.0', host: 'stage-1', 'http.route': '/refund' });
    await eventually(
      () => list({ filter: { service: api }, sort: { field: 'LAST_SEEN' }, first: 1 }),
      (connection) => connection.edges[0]?.node.id === ids.refund,
    );

    const second = await list({ filter, sort, first: 1, after: first.pageInfo.endCursor });
    const third = await list({ filter, sort, first: 1, after: second.pageInfo.endCursor });
    expect([...idsOf(first), ...idsOf(second), ...idsOf(third)]).toEqual([ids.worker, ids.charge, ids.refund]);
    expect(third.pageInfo.hasNextPage).toBe(false);
    expect([second.totalCount, third.totalCount]).toEqual([3, 3]);
    // The fields are current: refund's new occurrence is counted.
    expect(third.edges[0].node.count).toBe(3);
    // A fresh first page has the new order.
    expect(idsOf(await list({ filter, sort, first: 1 }))).toEqual([ids.refund]);

    // A cursor belongs to its list: another filter with it is refused.
    const foreign = await graphqlResponse(gatewayUrl(), LIST, { filter: { service: api }, sort, first: 1, after: first.pageInfo.endCursor });
    expect(foreign.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('answers facets counted over the filtered issues', async () => {
    const data = await graphql<{ facets: { key: string; values: { value: string; count: number }[] }[] }>(
      gatewayUrl(),
      'query($filter: IssueFilter) { facets(keys: ["service", "env", "version", "http.route", "host"], filter: $filter) { key values { value count } } }',
      { filter: { service: api } },
    );
    expect(data.facets).toEqual([
      { key: 'service', values: [{ value: api, count: 2 }] },
      { key: 'env', values: [{ value: 'production', count: 1 }, { value: 'staging', count: 1 }] },
      { key: 'version', values: [{ value: '1.0.0', count: 2 }, { value: '1.1.0', count: 1 }] },
      { key: 'http.route', values: [{ value: '/charge', count: 1 }, { value: '/refund', count: 1 }] },
      { key: 'host', values: [{ value: 'stage-1', count: 1 }, { value: 'web-1', count: 1 }, { value: 'web-2', count: 1 }] },
    ]);
  });

  it('shows an issue in detail: series, distributions, latest and representative occurrences, traces', async () => {
    const data = await graphql<{ issue: Record<string, unknown> & { countSeries: { at: string; count: number }[]; minutes: { count: number }[] } }>(
      gatewayUrl(),
      `query($id: ID!, $from: DateTime!, $to: DateTime!) { issue(id: $id) {
        count firstVersion lastVersion affectedTraces
        countSeries(from: $from, to: $to, interval: "1h") { at count }
        minutes: countSeries(from: $from, to: $to, interval: "5m") { count }
        versions: tagDistribution(key: "version") { value count percentage }
        routes: tagDistribution(key: "http.route", limit: 1) { value count percentage }
        hosts: tagDistribution(key: "host") { value count }
        latestOccurrence { version host timestamp tags { key value } }
        representativeOccurrences { version host }
        onOld: occurrences(filter: { version: "1.0.0" }) { totalCount }
      } }`,
      { id: ids.charge, from: new Date(H0 - 4 * HOUR).toISOString(), to: new Date(H0 + HOUR).toISOString() },
    );
    const issue = data.issue;
    expect(issue).toMatchObject({ count: 6, firstVersion: '1.0.0', lastVersion: '1.1.0', affectedTraces: 6 });
    expect(issue.countSeries).toEqual([4, 3, 2, 1, 0].map((hoursBack) => ({ at: new Date(H0 - hoursBack * HOUR).toISOString(), count: hoursBack === 3 ? 2 : hoursBack === 1 ? 4 : 0 })));
    expect(issue.minutes).toHaveLength(60);
    expect(issue.minutes.reduce((sum, point) => sum + point.count, 0)).toBe(6);
    // 5-minute buckets: the 4 recent ones fall in the bucket starting 30 minutes before H0 (index 42).
    expect(issue.minutes[42]).toEqual({ count: 4 });
    expect(issue.versions).toEqual([
      { value: '1.1.0', count: 4, percentage: 66.67 },
      { value: '1.0.0', count: 2, percentage: 33.33 },
    ]);
    expect(issue.routes).toEqual([{ value: '/charge', count: 6, percentage: 100 }]);
    expect(issue.hosts).toEqual([
      { value: 'web-1', count: 4 },
      { value: 'web-2', count: 2 },
    ]);
    expect(issue.latestOccurrence).toMatchObject({ version: '1.1.0', host: 'web-2', timestamp: new Date(H0 - 30 * MINUTE + 3000).toISOString() });
    expect((issue.latestOccurrence as { tags: { key: string; value: string }[] }).tags).toEqual(expect.arrayContaining([{ key: 'http.route', value: '/charge' }]));
    expect(issue.representativeOccurrences).toEqual([
      { version: '1.1.0', host: 'web-2' },
      { version: '1.1.0', host: 'web-1' },
      { version: '1.0.0', host: 'web-1' },
    ]);
    expect(issue.onOld).toEqual({ totalCount: 2 });
  });

  it('refuses bad arguments with BAD_USER_INPUT naming them', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($id: ID!) { issue(id: $id) { countSeries(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", interval: "7x") { count } } }`, { id: ids.charge }, 'interval'],
      [`query($id: ID!) { issue(id: $id) { countSeries(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", interval: "1m") { count } } }`, { id: ids.charge }, 'interval'],
      ['{ issues(filter: { tags: ["no-colon"] }) { totalCount } }', {}, 'filter'],
      ['{ issues(after: "bm90LWEtY3Vyc29y") { totalCount } }', {}, 'after'],
      ['{ facets(keys: []) { key } }', {}, 'keys'],
    ];
    for (const [query, variables, argumentName] of cases) {
      const response = await graphqlResponse(gatewayUrl(), query, variables);
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
    }
  });

  it('serves a GraphQL IDE page to browsers', async () => {
    const response = await fetch(`${gatewayUrl()}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('embeddable-sandbox');
  });
});
