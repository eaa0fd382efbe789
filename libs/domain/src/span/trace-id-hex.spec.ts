import { toTraceIdHex } from './trace-id-hex';

describe('toTraceIdHex', () => {
  it('joins Datadog _dd.p.tid and the 64-bit trace_id of a captured dd-trace 5 span', () => {
    // libs/intake/src/__fixtures__/dd-trace-v04.json: trace_id 3983546689382542143 = 0x3748669bb6d46b3f.
    expect(toTraceIdHex('3983546689382542143', '6b063f2d00000000')).toBe('6b063f2d000000003748669bb6d46b3f');
  });

  it('pads a small lower half to 16 hex and lower-cases the upper half', () => {
    expect(toTraceIdHex('42', '6B063F2D00000000')).toBe('6b063f2d00000000000000000000002a');
  });

  it('reads the upper half as zeros without _dd.p.tid or with a malformed one', () => {
    const zeros = '00000000000000003748669bb6d46b3f';
    expect(toTraceIdHex('3983546689382542143')).toBe(zeros);
    for (const malformed of ['', '6b063f2d', '6b063f2d000000000', 'zz063f2d00000000', ' 6b063f2d0000000']) {
      expect(toTraceIdHex('3983546689382542143', malformed)).toBe(zeros);
    }
  });

  it('gives the hex of a 128-bit OTel trace id unchanged and ignores any upper half for it', () => {
    const hex = 'b4392ea27e38af1ca3366ad20a6fbdae';
    const decimal = BigInt(`0x${hex}`).toString();
    expect(toTraceIdHex(decimal)).toBe(hex);
    expect(toTraceIdHex(decimal, '6b063f2d00000000')).toBe(hex);
    expect(toTraceIdHex(((1n << 128n) - 1n).toString())).toBe('f'.repeat(32));
  });

  it('is null for what is not a decimal of at most 128 bits', () => {
    expect(toTraceIdHex((1n << 128n).toString())).toBeNull();
    expect(toTraceIdHex('0x2a')).toBeNull();
    expect(toTraceIdHex('')).toBeNull();
  });
});
