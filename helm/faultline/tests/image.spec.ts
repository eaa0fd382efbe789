import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { MIGRATIONS_DIR } from '@faultline/clickhouse';
import { CHART_DIR, REPO_ROOT } from './chart-render';

/**
 * The image is not built here (no Docker engine), so this checks what a build would trip over: every
 * path the Dockerfile copies exists, is not cut by .dockerignore, the build stage gets every file tsc
 * compiles, and the runtime stage gets everything the services read at run time and only production
 * dependencies.
 */

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    else if (keyword.toUpperCase() !== 'ARG' || stages.length > 0) stages[stages.length - 1]?.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

interface Copy {
  from?: string;
  sources: string[];
  destination: string;
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY')
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((word) => !word.startsWith('--'));
      return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
    });
}

/** .dockerignore patterns: plain paths (and what is under them) and `**` / `*` globs, as Docker matches them. */
function dockerIgnored(patterns: string[]): (relativePath: string) => boolean {
  const regexes = patterns.map((pattern) => {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '@@ANY_DIRS@@')
      .replace(/\*/g, '[^/]*')
      .replace(/@@ANY_DIRS@@/g, '(?:.*/)?');
    return new RegExp(`^${source}(?:/.*)?$`);
  });
  return (relativePath) => regexes.some((regex) => regex.test(relativePath));
}

const dockerfile = parseDockerfile(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const ignorePatterns = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const isIgnored = dockerIgnored(ignorePatterns);
const stage = (name: string) => {
  const found = dockerfile.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`Dockerfile has no stage ${name}`);
  return found;
};
const runtime = dockerfile[dockerfile.length - 1];
const buildConfig = ts.parseJsonConfigFileContent(ts.readConfigFile(path.join(REPO_ROOT, 'tsconfig.build.json'), ts.sys.readFile).config, ts.sys, REPO_ROOT);
const compiledSources = buildConfig.fileNames.map((file) => path.relative(REPO_ROOT, file));
/** Where a COPY puts a context path inside the stage, relative to WORKDIR (all stages copy into their WORKDIR). */
const destinationsOf = (copy: Copy) => copy.sources.map((source) => (copy.sources.length === 1 && !copy.destination.endsWith('/') ? copy.destination : path.join(copy.destination, path.basename(source))).replace(/^\.\//, ''));

describe('.dockerignore matching', () => {
  it('matches as Docker does for the patterns used', () => {
    const ignored = dockerIgnored(['node_modules', '**/*.spec.ts', 'apps/pipeline-e2e']);
    expect(['node_modules/x/index.js', 'libs/a/src/b.spec.ts', 'apps/pipeline-e2e/src/x.ts'].map(ignored)).toEqual([true, true, true]);
    expect(['libs/a/src/b.ts', 'apps/pipeline', 'libs/node_modules_like.ts'].map(ignored)).toEqual([false, false, false]);
  });
});

describe('Dockerfile', () => {
  it('has the build, production-dependency and runtime stages, the runtime one last', () => {
    expect(dockerfile.map((candidate) => candidate.name)).toEqual(['build', 'prod-deps', 'runtime']);
  });

  it('copies from the context only paths that exist and that .dockerignore keeps', () => {
    const fromContext = dockerfile.flatMap((candidate) => copies(candidate)).filter((copy) => !copy.from);
    expect(fromContext.length).toBeGreaterThan(5);
    for (const source of fromContext.flatMap((copy) => copy.sources)) {
      expect([source, existsSync(path.join(REPO_ROOT, source))]).toEqual([source, true]);
      expect([source, isIgnored(source)]).toEqual([source, false]);
    }
  });

  it('gives the build stage every file tsc compiles (tsconfig.build.json), none of them ignored', () => {
    const copied = copies(stage('build')).filter((copy) => !copy.from).flatMap((copy) => copy.sources);
    for (const file of [...compiledSources, 'tsconfig.build.json', 'tsconfig.base.json', 'package-lock.json']) {
      expect([file, copied.some((source) => file === source || file.startsWith(`${source}/`))]).toEqual([file, true]);
      expect([file, isIgnored(file)]).toEqual([file, false]);
    }
  });

  it('runs the compiled output with the @faultline/* mapping under tini, as a numeric non-root user', () => {
    const entrypoint = JSON.parse(runtime.instructions.find((instruction) => instruction.keyword === 'ENTRYPOINT')?.args ?? '[]') as string[];
    expect(entrypoint).toEqual(['/usr/bin/tini', '--', 'node', '-r', './infra/runtime/register-paths.js']);
    expect(runtime.instructions.some((instruction) => instruction.keyword === 'RUN' && /apt-get install .*\btini\b/.test(instruction.args))).toBe(true);
    const copied = copies(runtime).flatMap(destinationsOf);
    // register-paths.js maps to dist/ using tsconfig.base.json's paths.
    expect(copied).toEqual(expect.arrayContaining(['infra/runtime/register-paths.js', 'tsconfig.base.json', 'node_modules']));
    for (const dir of ['apps', 'libs', 'infra']) expect(copies(runtime)).toContainEqual({ from: 'build', sources: [`/src/dist/${dir}`], destination: `./dist/${dir}` });
    const user = runtime.instructions.filter((instruction) => instruction.keyword === 'USER').pop()?.args ?? '';
    expect(user).toMatch(/^[1-9][0-9]*:[0-9]+$/);
    const values = parseYaml(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    expect(`${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`).toBe(user);
  });

  it('puts beside dist/ the source-tree files the code reads at run time (migrations, GraphQL SDL)', () => {
    const copied = copies(runtime).filter((copy) => !copy.from).flatMap(destinationsOf);
    expect(copied).toContain(path.relative(REPO_ROOT, MIGRATIONS_DIR));
    expect(readFileSync(path.join(REPO_ROOT, 'apps/gateway/src/graphql/schema-sdl.ts'), 'utf8')).toContain("'schema.graphql'");
    expect(copied).toContain('apps/gateway/src/graphql/schema.graphql');
  });

  it('ships production dependencies only, and the compiled code imports nothing else', () => {
    const prodDeps = stage('prod-deps').instructions.find((instruction) => instruction.keyword === 'RUN')?.args ?? '';
    expect(prodDeps).toMatch(/npm install --omit=dev/);
    expect(copies(runtime)).toContainEqual({ from: 'prod-deps', sources: ['/app/node_modules'], destination: './node_modules' });
    const dependencies = new Set(Object.keys(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).dependencies));
    const builtins = new Set(builtinModules);
    for (const file of compiledSources) {
      for (const { fileName: specifier } of ts.preProcessFile(readFileSync(path.join(REPO_ROOT, file), 'utf8'), true, true).importedFiles) {
        if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('@faultline/') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        expect([file, name, dependencies.has(name)]).toEqual([file, name, true]);
      }
    }
  });

  it('has a build stage whose compiled entrypoints are the ones the chart runs', () => {
    const templates = ['deployment.yaml', 'hooks.yaml', '_helpers.tpl'].map((file) => readFileSync(path.join(CHART_DIR, 'templates', file), 'utf8')).join('\n');
    const entrypoints = [...templates.matchAll(/dist\/[\w/-]+\.js/g)].map(([match]) => match);
    expect(entrypoints.length).toBeGreaterThanOrEqual(6);
    for (const entrypoint of entrypoints) {
      const source = entrypoint.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect([entrypoint, compiledSources.includes(source)]).toEqual([entrypoint, true]);
      // After a `npm run build` newer than the source (npm test builds first), the compiled file is there too.
      const buildInfo = path.join(REPO_ROOT, 'dist', '.tsbuildinfo');
      if (existsSync(buildInfo) && statSync(buildInfo).mtimeMs > statSync(path.join(REPO_ROOT, source)).mtimeMs) {
        expect([entrypoint, existsSync(path.join(REPO_ROOT, entrypoint))]).toEqual([entrypoint, true]);
      }
    }
  });
});
