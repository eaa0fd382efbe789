import { GroupingConfigKeys } from './grouping-config.store';

function hashTag(key: string): string {
  const open = key.indexOf('{');
  return key.slice(open + 1, key.indexOf('}', open + 1));
}

describe('GroupingConfigKeys', () => {
  const keys = new GroupingConfigKeys();

  it('puts both keys of a tenant in the same cluster slot, apart from each other', () => {
    expect(hashTag(keys.rules('acme'))).toBe('acme');
    expect(hashTag(keys.inAppPatterns('acme'))).toBe('acme');
    expect(keys.rules('acme')).not.toBe(keys.inAppPatterns('acme'));
  });

  it('encodes braces and colons so a tenant cannot end the tag early', () => {
    expect(hashTag(keys.rules('a}b{c:d'))).toBe('a%7Db%7Bc%3Ad');
  });

  it('uses the configured prefix', () => {
    expect(new GroupingConfigKeys('test').rules('t')).toBe('test:{t}:grouping-rules');
  });
});
