import * as path from 'node:path';
import { register } from 'tsconfig-paths';

/*
 * Jest applies moduleNameMapper to test files but not to globalSetup/globalTeardown modules, which
 * Node's own require loads (jest still transpiles them). This maps the @faultline/* aliases to their
 * TypeScript sources for those modules; import it before any alias.
 */
const repoRoot = path.resolve(__dirname, '../../..');
const { compilerOptions } = require(path.join(repoRoot, 'tsconfig.base.json')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
register({ baseUrl: repoRoot, paths: compilerOptions.paths, addMatchAll: false });
