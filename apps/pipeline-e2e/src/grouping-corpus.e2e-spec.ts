import { randomBytes } from 'node:crypto';
import { type CorpusCase, readCorpus } from '@faultline/domain/corpus';
import { corpusSpan, putDatadogTraces } from './support/datadog-spans';
import { eventually, graphql } from './support/graphql-client';
import { gatewayUrl } from './support/issues';

const ingestionUrl = process.env.FAULTLINE_INGESTION_URL as string;
const otlpUrl = process.env.FAULTLINE_OTLP_URL as string;
const LANGUAGES = ['dotnet', 'go', 'java', 'node', 'php', 'python', 'ruby'];

interface CorpusIssue {
  id: string;
  count: number;
  occurrences: { edges: { node: { spanId: string } }[] };
}

/**
 * The same case as an OTLP/JSON export: a SERVER span with status ERROR and an `exception` event. Used for
 * cases without a message (e.g. Java's InvocationTargetException): Datadog spans need a non-empty
 * `error.message` to count, as in Datadog itself, while OpenTelemetry allows an empty exception message.
 */
function otlpExportFor(testCase: CorpusCase, service: string, spanId: number, startNs: bigint) {
  const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const idHex = spanId.toString(16).padStart(16, '0');
  return {
    resourceSpans: [
      {
        resource: { attributes: [attribute('service.name', service), attribute('deployment.environment.name', 'corpus')] },
        scopeSpans: [
          {
            scope: { name: 'corpus' },
            spans: [
              {
                traceId: idHex.padStart(32, '0'),
                spanId: idHex,
                name: `GET /${testCase.group}`,
                kind: 2,
                startTimeUnixNano: startNs.toString(),
                endTimeUnixNano: (startNs + 1_000_000n).toString(),
                status: { code: 2 },
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: startNs.toString(),
                    attributes: [attribute('exception.type', testCase.errorType), attribute('exception.message', testCase.message), attribute('exception.stacktrace', testCase.stack)],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function issuesOf(service: string): Promise<CorpusIssue[]> {
  const data = await graphql<{ issues: { edges: { node: CorpusIssue }[] } }>(
    gatewayUrl(),
    `query($service: String!) { issues(filter: { service: $service }, first: 100) { edges { node { id count occurrences(first: 100) { edges { node { spanId } } } } } } }`,
    { service },
  );
  return data.issues.edges.map((edge) => edge.node);
}

describe('grouping of the real stack-trace corpus through the whole pipeline', () => {
  const suffix = randomBytes(4).toString('hex');
  const corpus = readCorpus();
  // Span ids below 2^53 so the JSON body needs no big-number encoding; unique per case in this run.
  const firstSpanId = Number.parseInt(randomBytes(5).toString('hex'), 16) * 1000;
  const cases = corpus.map((testCase, index) => ({ ...testCase, spanId: String(firstSpanId + index), service: `corpus-${testCase.language}-${suffix}` }));

  beforeAll(async () => {
    const startNs = BigInt(Date.now()) * 1_000_000n;
    const overDatadog = cases.filter((testCase) => testCase.message.trim() !== '');
    const traces = overDatadog.map((testCase) => [corpusSpan(testCase, testCase.service, Number(testCase.spanId), startNs)]);
    expect(await putDatadogTraces(ingestionUrl, traces)).toBe(200);
    for (const testCase of cases.filter((candidate) => !overDatadog.includes(candidate))) {
      const exported = await fetch(`${otlpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpExportFor(testCase, testCase.service, Number(testCase.spanId), startNs)),
      });
      expect(exported.status).toBe(200);
      expect(await exported.json()).toEqual({});
    }
  });

  it('covers the seven languages', () => {
    expect([...new Set(corpus.map((testCase) => testCase.language))].filter((language) => LANGUAGES.includes(language)).sort()).toEqual(LANGUAGES);
  });

  it.each([...new Set(corpus.map((testCase) => testCase.language))])('%s: every corpus group is exactly one issue holding exactly its variants', async (language) => {
    const languageCases = cases.filter((testCase) => testCase.language === language);
    const service = languageCases[0].service;
    const issues = await eventually(
      () => issuesOf(service),
      (found) => found.reduce((sum, issue) => sum + issue.count, 0) >= languageCases.length,
    );
    const groupOfSpan = new Map(languageCases.map((testCase) => [testCase.spanId, testCase.group]));
    const expectedGroups = new Map<string, string[]>();
    for (const testCase of languageCases) expectedGroups.set(testCase.group, [...(expectedGroups.get(testCase.group) ?? []), testCase.spanId].sort());

    const actualGroups = issues.map((issue) => issue.occurrences.edges.map((edge) => edge.node.spanId).sort());
    // Each issue holds the spans of exactly one group (precision), and each group's spans are in one issue (recall).
    for (const spanIds of actualGroups) expect(new Set(spanIds.map((spanId) => groupOfSpan.get(spanId))).size).toBe(1);
    expect(actualGroups.sort()).toEqual([...expectedGroups.values()].sort());
    expect(issues.map((issue) => issue.count).sort()).toEqual(actualGroups.map((spanIds) => spanIds.length).sort());
  });
});
