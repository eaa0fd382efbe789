import { ErrorSpanMessage } from '@faultline/contracts';
import { CorpusCase, readCorpus } from './__fixtures__/read-corpus';
import { computeFingerprintV1 } from './fingerprint-v1';
import { normaliseMessage } from './normalise-message';
import { parseStack } from './parse-stack';
import { toOccurrence } from './to-occurrence';

/**
 * The grouping corpus (`__fixtures__/corpus/<language>/<group>/<variant>.txt`, every language
 * present): real stacks of the same bug across releases, line shifts, ids, hosts and library frames
 * must share one fingerprint, and different bugs must not. Prints pairwise precision and recall.
 */
const corpus = readCorpus();

/** The case as the fingerprinter receives it, so grouping runs exactly as in production. */
function errorSpan(testCase: CorpusCase): ErrorSpanMessage {
  return {
    schema: 'error-span/v1',
    tenant: 'corpus',
    receivedAt: 1795571501300,
    protocol: 'json',
    traceId: '1',
    traceIdHex: null,
    spanId: '1',
    parentId: '0',
    service: 'corpus',
    name: 'corpus',
    resource: testCase.group,
    startNs: '1795571501272004352',
    durationNs: 1,
    error: { type: testCase.errorType, message: testCase.message, stack: testCase.stack },
    env: null,
    version: null,
    host: null,
    container: null,
    tags: {},
  };
}

const groupOf = (testCase: CorpusCase) => `${testCase.language}/${testCase.group}`;
const nameOf = (testCase: CorpusCase) => `${groupOf(testCase)}/${testCase.variant}`;

interface PairwiseScore {
  cases: number;
  groups: number;
  precision: number;
  recall: number;
}

/**
 * Over all pairs of cases: precision = pairs sharing a fingerprint that are the same bug / pairs
 * sharing a fingerprint; recall = pairs of the same bug sharing a fingerprint / pairs of the same bug.
 */
function pairwiseScore(cases: readonly CorpusCase[], fingerprintOf: (testCase: CorpusCase) => string): PairwiseScore {
  const fingerprints = cases.map(fingerprintOf);
  let sameBoth = 0;
  let sameFingerprint = 0;
  let sameGroup = 0;
  for (let i = 0; i < cases.length; i++) {
    for (let j = i + 1; j < cases.length; j++) {
      const grouped = fingerprints[i] === fingerprints[j];
      const sameBug = groupOf(cases[i]) === groupOf(cases[j]);
      if (grouped) sameFingerprint++;
      if (sameBug) sameGroup++;
      if (grouped && sameBug) sameBoth++;
    }
  }
  return {
    cases: cases.length,
    groups: new Set(cases.map(groupOf)).size,
    precision: sameFingerprint === 0 ? 1 : sameBoth / sameFingerprint,
    recall: sameGroup === 0 ? 1 : sameBoth / sameGroup,
  };
}

const fingerprintV2 = (testCase: CorpusCase) => toOccurrence(errorSpan(testCase)).fingerprint;
const fingerprintV1 = (testCase: CorpusCase) =>
  computeFingerprintV1({ errorType: testCase.errorType, messageTemplate: normaliseMessage(testCase.message), frames: parseStack(testCase.stack).frames });

describe('grouping corpus', () => {
  const languages = [...new Set(corpus.map((testCase) => testCase.language))];
  const fingerprints = new Map(corpus.map((testCase) => [nameOf(testCase), fingerprintV2(testCase)]));

  it('covers every language with the same bug in several variants', () => {
    expect(languages).toEqual(expect.arrayContaining(['node', 'python', 'java', 'generic']));
    for (const language of languages) {
      const groups = corpus.filter((testCase) => testCase.language === language).map(groupOf);
      expect(groups.some((group, index) => groups.indexOf(group) !== index)).toBe(true);
    }
  });

  it('gives every group exactly one fingerprint', () => {
    const fingerprintsByGroup = new Map<string, Set<string>>();
    for (const testCase of corpus) {
      const seen = fingerprintsByGroup.get(groupOf(testCase)) ?? new Set<string>();
      seen.add(fingerprints.get(nameOf(testCase)) as string);
      fingerprintsByGroup.set(groupOf(testCase), seen);
    }
    const split = [...fingerprintsByGroup].filter(([, seen]) => seen.size > 1).map(([group]) => group);
    expect(split).toEqual([]);
  });

  it('gives no two groups the same fingerprint', () => {
    const groupsByFingerprint = new Map<string, Set<string>>();
    for (const testCase of corpus) {
      const fingerprint = fingerprints.get(nameOf(testCase)) as string;
      groupsByFingerprint.set(fingerprint, (groupsByFingerprint.get(fingerprint) ?? new Set<string>()).add(groupOf(testCase)));
    }
    const merged = [...groupsByFingerprint.values()].filter((groups) => groups.size > 1).map((groups) => [...groups]);
    expect(merged).toEqual([]);
  });

  it('prints pairwise precision and recall per language and overall (1 and 1 for v2)', () => {
    const rows = [...languages.map((language) => [language, corpus.filter((testCase) => testCase.language === language)] as const), ['overall', corpus] as const];
    const format = (value: number) => value.toFixed(3);
    const lines = ['language    cases groups  v2 precision  v2 recall  |  v1 precision  v1 recall'];
    for (const [name, cases] of rows) {
      const v2 = pairwiseScore(cases, fingerprintV2);
      const v1 = pairwiseScore(cases, fingerprintV1);
      lines.push(
        `${name.padEnd(10)} ${String(v2.cases).padStart(6)} ${String(v2.groups).padStart(6)} ${format(v2.precision).padStart(13)} ${format(v2.recall).padStart(10)}  | ${format(v1.precision).padStart(13)} ${format(v1.recall).padStart(10)}`,
      );
      expect({ name, precision: v2.precision, recall: v2.recall }).toEqual({ name, precision: 1, recall: 1 });
    }
    console.log(`Grouping corpus, pairwise over all pairs of cases:\n${lines.join('\n')}`);
  });
});
