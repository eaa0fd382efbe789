import { readFixture } from './__fixtures__/read-fixture';
import { parseGenericStack } from './parse-generic-stack';

describe('parseGenericStack', () => {
  it('makes every non-empty line after the header a frame', () => {
    const [exception] = parseGenericStack(readFixture('generic/perl-confess.txt'));
    expect(exception.frames.map((frame) => frame.function)).toEqual([
      'main::load_cart("c-1001") called at confess.pl line 8',
      'main::checkout("c-1001") called at confess.pl line 9',
      'eval {...} called at confess.pl line 9',
    ]);
    expect(exception.frames[0]).toMatchObject({ file: null, module: null, line: null, column: null, inApp: true });
  });

  it('never returns zero frames for a non-empty stack: a lone header is its own frame', () => {
    const [exception] = parseGenericStack('cart c-1001 not found at confess.pl line 7.\n');
    expect(exception.frames.map((frame) => frame.function)).toEqual(['cart c-1001 not found at confess.pl line 7.']);
  });

  it('returns no exception for an empty or blank stack', () => {
    expect(parseGenericStack('')).toEqual([]);
    expect(parseGenericStack(' \n\t\n')).toEqual([]);
  });
});
