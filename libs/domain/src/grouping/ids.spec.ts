import { issueIdFor, occurrenceIdFor } from './ids';

describe('deterministic ids', () => {
  it('derives a 32-hex occurrence id from tenant, trace id and span id', () => {
    const id = occurrenceIdFor('default', '3983546689382542143', '3983546689382542143');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(occurrenceIdFor('default', '3983546689382542143', '3983546689382542143')).toBe(id);
    expect(occurrenceIdFor('other', '3983546689382542143', '3983546689382542143')).not.toBe(id);
    expect(occurrenceIdFor('default', '3983546689382542143', '810484011673182325')).not.toBe(id);
    expect(occurrenceIdFor('default', '39835466893825421', '433983546689382542143')).not.toBe(occurrenceIdFor('default', '398354668938254214', '33983546689382542143'));
  });

  it('derives a 16-hex issue id from tenant and fingerprint', () => {
    const fingerprint = '0f3d0b3a1b0c7d2f5e4a6b9c8d7e6f50';
    expect(issueIdFor('default', 'checkout', fingerprint)).toMatch(/^[0-9a-f]{16}$/);
    expect(issueIdFor('default', 'checkout', fingerprint)).toBe(issueIdFor('default', 'checkout', fingerprint));
    expect(issueIdFor('acme', 'checkout', fingerprint)).not.toBe(issueIdFor('default', 'checkout', fingerprint));
    // Scoped per service: the same bug in another service is another issue.
    expect(issueIdFor('default', 'billing', fingerprint)).not.toBe(issueIdFor('default', 'checkout', fingerprint));
  });
});
