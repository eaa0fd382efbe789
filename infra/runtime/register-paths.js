// Resolves the workspace aliases (@faultline/*) to the compiled output in dist/, so services run
// with plain `node` and no TypeScript at run time. Loaded with `node -r`.
const path = require('node:path');
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

const distRoot = path.resolve(__dirname, '../../dist');
const paths = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  paths[alias] = [target.replace(/\.ts$/, '.js')];
}
register({ baseUrl: distRoot, paths, addMatchAll: false });
