import { InAppPatterns, StackFrame } from '@faultline/contracts';
import { readCorpus } from './__fixtures__/read-corpus';
import { applyInAppPatterns, globMatches } from './in-app-patterns';
import { parseStack } from './parse-stack';

const corpus = readCorpus();
function framesOf(language: string, group: string, variant: string): StackFrame[] {
  const found = corpus.find((c) => c.language === language && c.group === group && c.variant === variant);
  if (!found) throw new Error(`no corpus case ${language}/${group}/${variant}`);
  return parseStack(found.stack).frames;
}
const inAppFunctions = (frames: readonly StackFrame[]) => frames.filter((frame) => frame.inApp).map((frame) => frame.function);

describe('globMatches', () => {
  it.each([
    ['payments.js', 'payments.js', true],
    ['payments.js', 'payments.jsx', false],
    ['*.js', 'payments.js', true],
    ['payments.j?', 'payments.js', true],
    ['payments.j?', 'payments.j', false],
    ['yaml.*', 'yaml.parser', true],
    ['yaml.*', 'yaml', false],
    ['*', '', true],
    ['', '', true],
    ['a*b*c', 'aXXbYYbZc', true],
    ['a*b*c', 'aXXbYYbZ', false],
    ['**/*.py', 'yaml/parser.py', true],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(2000), false],
  ])('%j against %j: %s', (glob, text, expected) => {
    expect(globMatches(glob, text)).toBe(expected);
  });

  it('takes regex and glob-bracket characters literally (no pattern is invalid)', () => {
    expect(globMatches('Object.<anonymous>', 'Object.<anonymous>')).toBe(true);
    expect(globMatches('Object.<anonymous>', 'ObjectX<anonymous>')).toBe(false);
    expect(globMatches('src/[id].ts', 'src/[id].ts')).toBe(true);
    expect(globMatches('src/[id].ts', 'src/i.ts')).toBe(false);
    expect(globMatches('fn(+', 'fn(+')).toBe(true);
    expect(globMatches('^lambda$0', 'lambda$0')).toBe(false);
    expect(globMatches('(a|b)', 'a')).toBe(false);
    expect(globMatches('\\d+', '1')).toBe(false);
  });
});

describe('applyInAppPatterns', () => {
  const yaml = framesOf('python', 'yaml-config-parse', 'release-v41');
  const payments = framesOf('node', 'payment-declined-charge', 'release-v41');

  it('returns the very same frames when there are no patterns, or nothing changes', () => {
    expect(applyInAppPatterns(yaml, { include: [], exclude: [] })).toBe(yaml);
    expect(applyInAppPatterns(yaml, { include: ['load_config'], exclude: ['nothing-here'] })).toBe(yaml);
  });

  it('include turns library frames in-app by module, file or function', () => {
    const byModule = applyInAppPatterns(yaml, { include: ['yaml.composer'], exclude: [] });
    expect(inAppFunctions(byModule)).toEqual(['compose_sequence_node', 'compose_node', 'compose_mapping_node', 'compose_node', 'compose_document', 'get_single_node', 'load_config', '<module>']);
    const byFile = applyInAppPatterns(yaml, { include: ['yaml/parser.py'], exclude: [] });
    expect(inAppFunctions(byFile)).toEqual(['parse_flow_sequence_entry', 'check_event', 'load_config', '<module>']);
    const byFunction = applyInAppPatterns(yaml, { include: ['safe_*'], exclude: [] });
    expect(inAppFunctions(byFunction)).toEqual(['safe_load', 'load_config', '<module>']);
  });

  it('exclude turns app frames into library frames, and wins over include', () => {
    const excluded = applyInAppPatterns(payments, { include: [], exclude: ['chargeOrder'] });
    expect(inAppFunctions(excluded)).toEqual(['checkout', 'Object.<anonymous>']);
    const both = applyInAppPatterns(yaml, { include: ['yaml', 'yaml.*'], exclude: ['yaml.composer', 'dist_packages_yaml.py'] });
    expect(inAppFunctions(both)).toEqual(['parse_flow_sequence_entry', 'check_event', 'get_single_data', 'load', 'safe_load']);
  });

  it('changes only the in-app flag, and leaves the input untouched', () => {
    const before = structuredClone(payments);
    const excluded = applyInAppPatterns(payments, { include: [], exclude: ['*payments.js'] });
    expect(payments).toEqual(before);
    expect(excluded.map(({ inApp: _inApp, ...rest }) => rest)).toEqual(payments.map(({ inApp: _inApp, ...rest }) => rest));
    expect(excluded.some((frame) => frame.inApp)).toBe(false);
  });

  it('gives the same answer on repeated calls (compiled form cached) and for an equal patterns object', () => {
    const patterns: InAppPatterns = { include: ['yaml.*'], exclude: [] };
    const first = applyInAppPatterns(yaml, patterns);
    expect(applyInAppPatterns(yaml, patterns)).toEqual(first);
    expect(applyInAppPatterns(yaml, { include: ['yaml.*'], exclude: [] })).toEqual(first);
  });
});
