import { IssueStateKeys } from './issue-state.store';

/** The hash tag Redis Cluster hashes: the text between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return key.slice(open + 1, close);
}

describe('IssueStateKeys', () => {
  const keys = new IssueStateKeys();

  it('puts every key of one issue in the same cluster slot', () => {
    const all = [keys.issue('acme', 'abc'), keys.envs('acme', 'abc'), keys.hourly('acme', 'abc'), keys.seen('acme', 'abc', 1732496400), keys.history('acme', 'abc'), keys.outbox('acme', 'abc')];
    expect(new Set(all.map(hashTag))).toEqual(new Set(['acme:abc']));
    expect(new Set(all).size).toBe(all.length);
  });

  it('encodes braces and colons so they cannot end the tag early or make issues collide', () => {
    const tricky = keys.issue('a}b{c', 'x:y');
    expect(hashTag(tricky)).toBe('a%7Db%7Bc:x%3Ay');
    expect(keys.issue('a:b', 'c')).not.toBe(keys.issue('a', 'b:c'));
  });

  it('uses the configured prefix', () => {
    expect(new IssueStateKeys('test').hourly('t', 'i')).toBe('test:{t:i}:hourly');
  });
});
