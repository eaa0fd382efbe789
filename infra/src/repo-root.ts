import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The workspace root, found from this file's location so it is the same whether the code runs
 * compiled (dist/infra/src) or from source under ts-jest (infra/src).
 */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'nx.json')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No workspace root (nx.json) above ${from}`);
    dir = parent;
  }
}
