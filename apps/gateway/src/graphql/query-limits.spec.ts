import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { IssueWorkflow } from '../issue-workflow/issue-workflow.service';
import { IssueListService } from '../issue-list/issue-list.service';
import { GroupingConfigAdmin } from './grouping-config.port';
import { createApolloServer } from './graphql.server';
import { IssueReader } from './issue-reader.port';
import { QUERY_TOO_COSTLY, QUERY_TOO_DEEP, QueryLimits, queryLimitsRule } from './query-limits';
import { readSchemaSdl } from './schema-sdl';

const schema = buildSchema(readSchemaSdl());
// The config's defaults (GATEWAY_MAX_QUERY_DEPTH, GATEWAY_MAX_QUERY_COST).
const DEFAULTS: QueryLimits = { maxDepth: 8, maxCost: 5000 };

function limitErrors(query: string, limits: QueryLimits = DEFAULTS) {
  return validate(schema, parse(query), [queryLimitsRule(limits)]).map((error) => ({ message: error.message, extensions: error.extensions }));
}

/** What the explorer's issue list asks for: 25 issues, each with its 5 latest occurrences, its frames and its history. */
const EXPLORER_ISSUE_LIST = `query IssueList($filter: IssueFilter, $after: String) {
  issues(filter: $filter, first: 25, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id fingerprint fingerprintVersion service env envs errorType errorMessage messageTemplate culprit status count
      firstSeen lastSeen firstVersion lastVersion regression isNew assignee
      frames { function file module line column inApp }
      history { at actor action from to assignee }
      occurrences(first: 5) { totalCount edges { node { spanId traceId timestamp version host errorMessage stack } } }
    } }
  }
}`;

describe('queryLimitsRule', () => {
  it('lets a shallow query through', () => {
    expect(limitErrors('{ issues { totalCount edges { node { id status } } } }')).toEqual([]);
  });

  it('lets the explorer issue list through under the default limits', () => {
    expect(limitErrors(EXPLORER_ISSUE_LIST)).toEqual([]);
    // 1 + 25 × 39 fields of the page + 25 × 5 × 10 of the occurrences: leaves the page room to grow.
    expect(limitErrors(EXPLORER_ISSUE_LIST, { maxDepth: 8, maxCost: 1 })[0].extensions).toEqual({ code: QUERY_TOO_COSTLY, cost: 2276, maxCost: 1 });
  });

  it('refuses a query nested deeper than the limit with QUERY_TOO_DEEP, naming the limit and the depth', () => {
    const query = '{ issues { edges { node { occurrences { edges { node { spanId } } } } } } }'; // depth 7
    expect(limitErrors(query, { maxDepth: 7, maxCost: 5000 })).toEqual([]);
    expect(limitErrors(query, { maxDepth: 6, maxCost: 5000 })).toEqual([
      { message: 'Query depth 7 exceeds the limit of 6', extensions: { code: QUERY_TOO_DEEP, depth: 7, maxDepth: 6 } },
    ]);
  });

  it('multiplies by the page size of every enclosing connection and refuses a costly query with QUERY_TOO_COSTLY', () => {
    const query = '{ issues(first: 100) { edges { node { occurrences(first: 100) { edges { node { stack } } } } } } }';
    // issues 1, edges/node/occurrences 100 each, edges/node/stack 100 × 100 each.
    expect(limitErrors(query)).toEqual([
      {
        message: expect.stringMatching(/^Query cost 30301 exceeds the limit of 5000 /),
        extensions: { code: QUERY_TOO_COSTLY, cost: 30_301, maxCost: 5000 },
      },
    ]);
  });

  it('counts an absent first as the schema default (25) and a variable without default as the largest page (100)', () => {
    const cost = (query: string) => limitErrors(query, { maxDepth: 8, maxCost: 0 })[0].extensions.cost;
    expect(cost('{ issues { edges { node { id } } } }')).toBe(1 + 25 * 3);
    expect(cost('query($n: Int) { issues(first: $n) { edges { node { id } } } }')).toBe(1 + 100 * 3);
    expect(cost('query($n: Int = 10) { issues(first: $n) { edges { node { id } } } }')).toBe(1 + 10 * 3);
    expect(cost('{ issues(first: 5000) { edges { node { id } } } }')).toBe(1 + 100 * 3);
  });

  it('counts fields in named and inline fragments as if written in place', () => {
    const inline = '{ issues(first: 100) { edges { node { occurrences(first: 100) { edges { node { spanId stack } } } } } } }';
    const withFragments = `
      query { issues(first: 100) { ...IssuePage } }
      fragment IssuePage on IssueConnection { edges { node { ... on Issue { occurrences(first: 100) { ...OccurrencePage } } } } }
      fragment OccurrencePage on OccurrenceConnection { edges { node { ...OccurrenceFields } } }
      fragment OccurrenceFields on Occurrence { spanId stack }`;
    const measured = (query: string) => limitErrors(query, { maxDepth: 1, maxCost: 1 }).map((error) => error.extensions);
    expect(measured(withFragments)).toEqual(measured(inline));
    expect(measured(inline)).toEqual([
      { code: QUERY_TOO_DEEP, depth: 7, maxDepth: 1 },
      { code: QUERY_TOO_COSTLY, cost: 1 + 100 * 3 + 100 * 100 * 4, maxCost: 1 },
    ]);
  });

  it('leaves introspection out of depth and cost', () => {
    const introspection = '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }';
    expect(limitErrors(introspection, { maxDepth: 2, maxCost: 1 })).toEqual([]);
  });
});

describe('the server with query limits', () => {
  // Refused before any resolver runs: the services are never called.
  const server = createApolloServer(
    { reader: {} as IssueReader, lists: {} as IssueListService, groupingConfig: {} as GroupingConfigAdmin, workflow: {} as IssueWorkflow },
    { introspection: true, limits: DEFAULTS, ide: false },
  );

  it.each([
    ['{ issues { edges { node { occurrences { edges { node { spanId } } } } } } }', { maxDepth: 6, maxCost: 5000 }, QUERY_TOO_DEEP],
    ['{ issues(first: 100) { edges { node { occurrences(first: 100) { edges { node { stack } } } } } } }', DEFAULTS, QUERY_TOO_COSTLY],
  ])('answers %s with HTTP 400 and its own code', async (query, limits, code) => {
    const limited = createApolloServer(
      { reader: {} as IssueReader, lists: {} as IssueListService, groupingConfig: {} as GroupingConfigAdmin, workflow: {} as IssueWorkflow },
      { introspection: false, limits, ide: false },
    );
    const response = await limited.executeOperation({ query });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.http.status).toBe(400);
    expect(response.body.singleResult.data).toBeUndefined();
    expect(response.body.singleResult.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code }) })]);
  });

  it('lets the standard introspection query through under the default limits', async () => {
    const response = await server.executeOperation({ query: getIntrospectionQuery() });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    expect(response.body.singleResult.errors).toBeUndefined();
  });
});
