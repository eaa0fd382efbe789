import { isGoLibraryFile } from './in-app';

/**
 * File names as they enter grouping. A deploy must not split issues, so nothing that varies per
 * release or host may survive: release and host directories, content hashes of bundles, URL
 * schemes, hosts and query strings. What remains, per runtime:
 *   - app code: the bare file name (`routes.js`, `orders.py`);
 *   - installed packages: the path inside the package directory (`router/lib/layer.js`,
 *     `yaml/composer.py`), stable across hosts and release directories, and telling apart the
 *     many `index.js` of different packages;
 *   - runtime modules: the runtime's own specifier (`node:internal/timers`, `<frozen importlib._bootstrap>`).
 * The original path stays in the occurrence's raw `stack`.
 */

/** `file:///srv/a.js`, `webpack:///./src/a.js`, `https://cdn.example/js/a.js?v=3#x` -> a path. */
export function stripUrl(location: string): string {
  let path = location.replace(/[?#].*$/, '');
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length) || '/';
  return path.replace(/\\/g, '/');
}

export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/**
 * `main.3f2a1c9b.js` -> `main.js`, `index-BkG2h3Xa.js` -> `index.js`. A segment counts as a hash when
 * it is hex of 6+ characters with a digit, or 8 alphanumerics mixing letters and digits (Vite/Rollup);
 * plain words such as `user-settings.js` are left alone.
 */
export function stripContentHash(fileName: string): string {
  return fileName.replace(/[.-]([A-Za-z0-9_]{6,})(?=(?:\.[a-z]+)+$)/g, (segment, candidate: string) =>
    isContentHash(candidate) ? '' : segment,
  );
}

function isContentHash(candidate: string): boolean {
  if (!/\d/.test(candidate)) return false;
  if (/^[0-9a-f]+$/i.test(candidate)) return true;
  return candidate.length === 8 && /[A-Za-z]/.test(candidate);
}

/** The path after the last `node_modules/`, so pnpm's `.pnpm/x@1.2.3/node_modules/x/...` reduces too. */
export function normaliseNodeFile(location: string): string {
  if (location.startsWith('node:')) return location;
  const path = stripUrl(location);
  if (path.startsWith('internal/')) return path;
  const marker = path.lastIndexOf('node_modules/');
  if (marker !== -1) return path.slice(marker + 'node_modules/'.length);
  return stripContentHash(baseName(path));
}

/**
 * Python file plus the dotted module for installed and standard-library code (`yaml.composer`);
 * app modules get no module name because their import path is not printed in a traceback.
 */
export function normalisePythonFile(location: string): { file: string; module: string | null } {
  if (location.startsWith('<')) return { file: location, module: null };
  const path = location.replace(/\\/g, '/');
  const packageRoot = /\/(?:site-packages|dist-packages|lib\/python\d(?:\.\d+)?)\/(?!site-packages\/|dist-packages\/)/.exec(path);
  if (packageRoot) {
    const file = path.slice(packageRoot.index + packageRoot[0].length);
    const module = file.replace(/\.py[cw]?$/, '').replace(/\/__init__$/, '').replace(/\//g, '.');
    return { file, module };
  }
  return { file: baseName(path), module: null };
}

/**
 * Go: modules (module cache, `-trimpath` builds, `vendor/`) reduce to `module/path/file.go` without
 * the `@vX.Y.Z` version, so a dependency upgrade does not split issues; GOROOT files to their path
 * below `src/` (`runtime/panic.go`, as `-trimpath` prints them); app files to the bare name, which
 * `-trimpath` and ordinary builds agree on (the function's package says where it lives).
 */
export function normaliseGoFile(location: string): string {
  const path = location.replace(/\\/g, '/');
  const moduleCache = path.lastIndexOf('/pkg/mod/');
  const vendor = path.lastIndexOf('/vendor/');
  let inModule: string | null = null;
  if (moduleCache !== -1) inModule = path.slice(moduleCache + '/pkg/mod/'.length);
  else if (vendor !== -1) inModule = path.slice(vendor + '/vendor/'.length);
  else if (/@v\d/.test(path)) inModule = path;
  if (inModule !== null) {
    // The module cache escapes upper case (`!burnt!sushi` is `BurntSushi`).
    return inModule.replace(/@v[^/]*/g, '').replace(/!([a-z])/g, (_, letter: string) => letter.toUpperCase());
  }
  const goroot = /\/(?:lib\/go(?:-[\d.]+)?|libexec|sdk\/go[\d.]+|[Gg]o(?:root)?)\/src\/(?=[^/.]+\/)/.exec(path);
  if (goroot) return path.slice(goroot.index + goroot[0].length);
  return isGoLibraryFile(path) ? path : baseName(path);
}

/**
 * Ruby: a gem's files become `gem-name/path` without the gem version (`prime/lib/prime.rb`), the
 * standard library its path below the version directory (`json/common.rb`), app code the bare name.
 */
export function normaliseRubyFile(location: string): string {
  const path = location.replace(/\\/g, '/');
  if (path.startsWith('<')) return path;
  const gitGem = /\/bundler\/gems\/([^/]+?)-[0-9a-f]{7,}\/(.*)$/.exec(path);
  if (gitGem) return `${gitGem[1]}/${gitGem[2]}`;
  const gem = /\/gems\/([^/]+?)-\d[^/]*\/(.*)$/.exec(path);
  if (gem) return `${gem[1]}/${gem[2]}`;
  const stdlib = /\/ruby\/(?:\d+\.\d+\.\d+|vendor_ruby|site_ruby)\/(?:\d+\.\d+\.\d+\/)?(.*)$/.exec(path);
  if (stdlib) return stdlib[1];
  return baseName(path);
}

/** PHP: Composer packages keep their path below `vendor/` (`monolog/monolog/src/Logger.php`); app code the bare name. */
export function normalisePhpFile(location: string): string {
  const path = location.replace(/\\/g, '/');
  const vendor = path.lastIndexOf('vendor/');
  if (vendor !== -1 && (vendor === 0 || path[vendor - 1] === '/')) return path.slice(vendor + 'vendor/'.length);
  return baseName(path);
}
