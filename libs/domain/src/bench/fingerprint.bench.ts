/**
 * `npm run bench:fingerprint`: stacks fingerprinted per second on one core (this process is single
 * threaded) over the grouping corpus, the fingerprinter's hot path: parseStack + normaliseMessage +
 * computeFingerprint for each case in turn. Target: 50,000 per second or more.
 */
import { CorpusCase, readCorpus } from '../grouping/__fixtures__/read-corpus';
import { computeFingerprint } from '../grouping/fingerprint';
import { normaliseMessage } from '../grouping/normalise-message';
import { parseStack } from '../grouping/parse-stack';

const WARM_UP_MS = 1_000;
const OVERALL_MS = 3_000;
const PER_LANGUAGE_MS = 1_000;

/** Fingerprints every case once; returns a checksum so the work cannot be optimised away. */
function fingerprintAll(cases: readonly CorpusCase[]): number {
  let checksum = 0;
  for (const testCase of cases) {
    const fingerprint = computeFingerprint({ errorType: testCase.errorType, messageTemplate: normaliseMessage(testCase.message), stack: parseStack(testCase.stack) });
    checksum += fingerprint.charCodeAt(0);
  }
  return checksum;
}

/** Runs whole passes over `cases` for about `durationMs`; stacks per second. */
function measure(cases: readonly CorpusCase[], durationMs: number): { perSecond: number; checksum: number } {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let stacks = 0;
  let checksum = 0;
  let now = start;
  while (now < deadline) {
    checksum += fingerprintAll(cases);
    stacks += cases.length;
    now = process.hrtime.bigint();
  }
  return { perSecond: Math.round(stacks / (Number(now - start) / 1e9)), checksum };
}

function main(): void {
  const corpus = readCorpus();
  const languages = [...new Set(corpus.map((testCase) => testCase.language))];
  measure(corpus, WARM_UP_MS);
  const overall = measure(corpus, OVERALL_MS);
  const format = (value: number) => value.toLocaleString('en-US');
  console.log(`corpus: ${corpus.length} stacks in ${languages.length} languages (${languages.join(', ')}); node ${process.version}, one core`);
  console.log(`stacks fingerprinted per second: ${format(overall.perSecond)}`);
  for (const language of languages) {
    const cases = corpus.filter((testCase) => testCase.language === language);
    console.log(`  ${language.padEnd(8)} ${String(cases.length).padStart(4)} stacks  ${format(measure(cases, PER_LANGUAGE_MS).perSecond).padStart(10)} per second`);
  }
  console.log(`(checksum ${overall.checksum})`);
}

main();
