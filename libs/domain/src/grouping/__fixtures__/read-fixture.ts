import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test support only: the raw text of a fixture, e.g. `node/typeerror-nested.txt`. */
export function readFixture(relativePath: string): string {
  return readFileSync(join(__dirname, relativePath), 'utf8');
}
