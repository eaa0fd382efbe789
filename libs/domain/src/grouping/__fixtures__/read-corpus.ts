import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * One case of the grouping corpus (`corpus/<language>/<group>/<variant>.txt`): every variant of a
 * group is the same bug, so must share a fingerprint; different groups are different bugs. The file
 * starts with `# type: <ErrorType>` and `# message: <message>` (what a tracer reports as
 * `error.type` and `error.message`), then the stack exactly as the runtime printed it.
 */
export interface CorpusCase {
  language: string;
  group: string;
  variant: string;
  errorType: string;
  message: string;
  stack: string;
}

/** Where the corpus lives in the repository, whether this runs from the sources or from `dist/`. */
export const CORPUS_PATH = join('libs', 'domain', 'src', 'grouping', '__fixtures__', 'corpus');

/** Test and bench support only: every case of the corpus, sorted by language, group and variant. */
export function readCorpus(corpusDir = join(repositoryRoot(), CORPUS_PATH)): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const language of sortedDirectories(corpusDir)) {
    for (const group of sortedDirectories(join(corpusDir, language))) {
      const groupDir = join(corpusDir, language, group);
      for (const file of readdirSync(groupDir).filter((name) => name.endsWith('.txt')).sort()) {
        cases.push({ language, group, variant: file.slice(0, -'.txt'.length), ...parseCorpusFile(readFileSync(join(groupDir, file), 'utf8'), join(groupDir, file)) });
      }
    }
  }
  return cases;
}

function parseCorpusFile(text: string, path: string): Pick<CorpusCase, 'errorType' | 'message' | 'stack'> {
  const typeLine = /^# type: (.+)\r?\n/.exec(text);
  const messageLine = typeLine && /^# message: ?(.*)\r?\n/.exec(text.slice(typeLine[0].length));
  if (!typeLine || !messageLine) throw new Error(`${path}: must start with "# type: <ErrorType>" and "# message: <message>" lines`);
  return { errorType: typeLine[1].trim(), message: messageLine[1], stack: text.slice(typeLine[0].length + messageLine[0].length) };
}

function sortedDirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'libs'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root (package.json) above ${__dirname}`);
  }
}
