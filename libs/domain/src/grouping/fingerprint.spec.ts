import { StackFrame } from '@faultline/contracts';
import { readFixture } from './__fixtures__/read-fixture';
import { computeFingerprint, FINGERPRINT_VERSION, groupingKeys, MAX_GROUPING_FRAMES } from './fingerprint';
import { normaliseMessage } from './normalise-message';
import { parseStack } from './parse-stack';

/** Fingerprint of a real stack, with type and message from its own header as a tracer would report them. */
function fingerprintOf(stack: string, errorType?: string): string {
  const { frames, exceptions } = parseStack(stack);
  return computeFingerprint({
    errorType: errorType ?? exceptions[0].type ?? '',
    messageTemplate: normaliseMessage(exceptions[0].message ?? ''),
    frames,
  });
}

const fixtureFingerprint = (fixture: string, errorType?: string) => fingerprintOf(readFixture(fixture), errorType);

describe('computeFingerprint', () => {
  it('is 32 lowercase hex characters and pinned for version 1', () => {
    // Pinned on purpose: if this changes, existing issues split. Bump FINGERPRINT_VERSION instead.
    expect(FINGERPRINT_VERSION).toBe(1);
    expect(fixtureFingerprint('dd-trace/payment-declined-v04.txt')).toBe('b5d349672b45bd3a0080f5627e21560e');
  });

  describe('same bug, one fingerprint', () => {
    it('across releases: other directory, shifted lines, other order id and amount (Node)', () => {
      expect(fixtureFingerprint('node/payment-declined-release-1.2.4.txt')).toBe(fixtureFingerprint('node/payment-declined-release-1.2.3.txt'));
    });

    it('across deploy directories, shifted lines and ids (Python)', () => {
      expect(fixtureFingerprint('python/order-not-found-app-v42.txt')).toBe(fixtureFingerprint('python/order-not-found-app-v41.txt'));
    });

    it('across ids in the message (Java)', () => {
      expect(fixtureFingerprint('java/invocation-caused-by-chain-other-order.txt')).toBe(fixtureFingerprint('java/invocation-caused-by-chain.txt'));
    });

    it('across library frames: dd-trace and OpenTelemetry instrumenting the same app', () => {
      expect(fixtureFingerprint('dd-trace/typeerror-otlp.txt')).toBe(fixtureFingerprint('dd-trace/typeerror-v05.txt'));
    });

    it('across recursion depth', () => {
      const stack = readFixture('node/direct-recursion.txt');
      const shallower = stack.replace(/^ {4}at visit \(.*:5:10\)\n/m, '').replace(/^ {4}at visit \(.*:5:10\)\n/m, '');
      expect(shallower.split('\n').length).toBe(stack.split('\n').length - 2);
      expect(fingerprintOf(shallower)).toBe(fingerprintOf(stack));
    });
  });

  describe('different bugs, different fingerprints', () => {
    it('another in-app function raising the same type and message', () => {
      expect(fixtureFingerprint('node/payment-declined-refund.txt')).not.toBe(fixtureFingerprint('node/payment-declined-release-1.2.4.txt'));
    });

    it('another error type at the same place', () => {
      const stack = readFixture('node/payment-declined-release-1.2.3.txt');
      expect(fingerprintOf(stack, 'CardExpiredError')).not.toBe(fingerprintOf(stack));
    });

    it('another message template at the same place', () => {
      const frames = parseStack(readFixture('node/typeerror-nested.txt')).frames;
      const fingerprint = (messageTemplate: string) => computeFingerprint({ errorType: 'TypeError', messageTemplate, frames });
      expect(fingerprint('Cannot read properties of undefined (reading <str>)')).not.toBe(fingerprint('cart.items is not iterable'));
    });

    it('cannot be confused by where one input ends and the next begins', () => {
      const frames: StackFrame[] = [];
      expect(computeFingerprint({ errorType: 'a', messageTemplate: 'b:c', frames })).not.toBe(
        computeFingerprint({ errorType: 'a:b', messageTemplate: 'c', frames }),
      );
    });
  });
});

describe('groupingKeys', () => {
  it('uses in-app frames only, as (module, function, file) without line or column', () => {
    const { frames } = parseStack(readFixture('node/node-modules-and-timers.txt'));
    expect(groupingKeys(frames)).toEqual([[null, 'getInvoice', 'server.js']]);
  });

  it('uses every frame when none is in-app', () => {
    const libraryOnly = readFixture('dd-trace/payment-declined-v04.txt').replace(/^ {4}at \/srv\/shop-app\/checkout-01\/routes\.js.*\n/m, '');
    const keys = groupingKeys(parseStack(libraryOnly).frames);
    expect(keys[0]).toEqual([null, 'Layer.handleRequest', 'router/lib/layer.js']);
    // dd-trace wraps Layer.handleRequest twice in router.js: consecutive repeats collapse into one.
    expect(keys).toHaveLength(7);
  });

  it('collapses direct recursion', () => {
    expect(groupingKeys(parseStack(readFixture('node/direct-recursion.txt')).frames)).toEqual([
      [null, 'visit', 'recursion.js'],
      [null, 'Object.<anonymous>', 'recursion.js'],
    ]);
    expect(groupingKeys(parseStack(readFixture('node/stack-overflow.txt')).frames)).toEqual([[null, 'walk', 'stack-overflow.js']]);
    expect(groupingKeys(parseStack(readFixture('python/recursion-error.txt')).frames)).toEqual([
      [null, 'walk', 'recursion_error.py'],
      [null, '<module>', 'recursion_error.py'],
    ]);
  });

  it('keeps the JVM class so same-named methods of different classes stay apart', () => {
    const { frames } = parseStack(readFixture('java/suppressed.txt'));
    expect(groupingKeys(frames)).toEqual([
      ['com.shop.orders.Main$AuditLog', 'Main$AuditLog.write', 'Main.java'],
      ['com.shop.orders.Main', 'Main.main', 'Main.java'],
    ]);
  });

  it(`keeps at most the ${MAX_GROUPING_FRAMES} innermost frames`, () => {
    const frames: StackFrame[] = Array.from({ length: 45 }, (_, depth) => ({
      function: `step${depth}`,
      file: 'pipeline.js',
      module: null,
      line: depth + 1,
      column: 1,
      inApp: true,
    }));
    const keys = groupingKeys(frames);
    expect(keys).toHaveLength(MAX_GROUPING_FRAMES);
    expect(keys[0]).toEqual([null, 'step0', 'pipeline.js']);
  });
});
