import { readFixture } from './__fixtures__/read-fixture';
import { detectStackLanguage, parseStack } from './parse-stack';
import { MAX_FRAMES_PER_EXCEPTION } from './stack-text';

describe('parseStack', () => {
  it.each([
    ['node/typeerror-nested.txt', 'node'],
    ['node/esm-file-url.txt', 'node'],
    ['node/cause-and-eval-inspect.txt', 'node'],
    ['dd-trace/payment-declined-v04.txt', 'node'],
    ['dd-trace/inventory-timeout-v05.txt', 'node'],
    ['python/keyerror-nested.txt', 'python'],
    ['python/dist-packages-yaml.txt', 'python'],
    ['java/invocation-caused-by-chain.txt', 'java'],
    ['java/unknown-source.txt', 'java'],
    ['generic/perl-confess.txt', 'generic'],
  ])('detects the language of %s as %s', (fixture, language) => {
    expect(detectStackLanguage(readFixture(fixture))).toBe(language);
  });

  it('returns the frames of the exception the span reports, with its causes alongside', () => {
    const parsed = parseStack(readFixture('python/chained-direct-cause.txt'));
    expect(parsed.language).toBe('python');
    expect(parsed.frames).toBe(parsed.exceptions[0].frames);
    expect(parsed.exceptions).toHaveLength(2);
  });

  it('falls back to the generic parser when a detected format yields no frame', () => {
    const parsed = parseStack('Traceback (most recent call last):\n<traceback object unavailable>\nValueError: boom');
    expect(parsed.language).toBe('generic');
    expect(parsed.frames.map((frame) => frame.function)).toEqual(['<traceback object unavailable>', 'ValueError: boom']);
  });

  it('yields no frame only for a blank stack', () => {
    expect(parseStack('')).toEqual({ language: 'generic', frames: [], exceptions: [] });
    expect(parseStack('Error: only a header').frames).toHaveLength(1);
  });

  it('bounds the frames kept from a pathological stack', () => {
    const frame = readFixture('node/stack-overflow.txt').split('\n')[2];
    const huge = ['RangeError: Maximum call stack size exceeded', ...Array<string>(100_000).fill(frame)].join('\n');
    const parsed = parseStack(huge);
    expect(parsed.language).toBe('node');
    expect(parsed.frames).toHaveLength(MAX_FRAMES_PER_EXCEPTION);
  });
});
