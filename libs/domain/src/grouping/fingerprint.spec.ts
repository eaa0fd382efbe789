import { StackFrame } from '@faultline/contracts';
import { readFixture } from './__fixtures__/read-fixture';
import {
  computeFingerprint,
  customFingerprint,
  FINGERPRINT_VERSION,
  groupingInputs,
  MAX_CUSTOM_FINGERPRINT_CHARS,
  MAX_GROUPING_EXCEPTIONS,
  MAX_GROUPING_FRAMES,
} from './fingerprint';
import { computeFingerprintV1 } from './fingerprint-v1';
import { normaliseMessage } from './normalise-message';
import { parseStack } from './parse-stack';

/** Grouping input of a real stack, with type and message from its own header as a tracer would report them. */
function inputOf(stack: string, errorType?: string, message?: string) {
  const parsed = parseStack(stack);
  return {
    errorType: errorType ?? parsed.exceptions[0].type ?? '',
    messageTemplate: normaliseMessage(message ?? parsed.exceptions[0].message ?? ''),
    stack: parsed,
  };
}

const fingerprintOf = (stack: string, errorType?: string, message?: string) => computeFingerprint(inputOf(stack, errorType, message));
const fixtureFingerprint = (fixture: string, errorType?: string) => fingerprintOf(readFixture(fixture), errorType);
const inputsOf = (fixture: string) => groupingInputs(inputOf(readFixture(fixture)));

const frame = (fn: string | null, file: string | null, inApp = true): StackFrame => ({ function: fn, file, module: null, line: 1, column: 1, inApp });

describe('computeFingerprint (v2)', () => {
  it('is 32 lowercase hex characters and pinned for version 2', () => {
    // Pinned on purpose: if this changes, existing issues split. Bump FINGERPRINT_VERSION instead.
    expect(FINGERPRINT_VERSION).toBe(2);
    expect(fixtureFingerprint('dd-trace/payment-declined-v04.txt')).toBe('17dde3b92c08974dcb51f655149bf7bb');
  });

  describe('same bug, one fingerprint', () => {
    it('across releases: other directory, shifted lines, other order id and amount (Node)', () => {
      expect(fixtureFingerprint('node/payment-declined-release-1.2.4.txt')).toBe(fixtureFingerprint('node/payment-declined-release-1.2.3.txt'));
    });

    it('across deploy directories, shifted lines and ids (Python)', () => {
      expect(fixtureFingerprint('python/order-not-found-app-v42.txt')).toBe(fixtureFingerprint('python/order-not-found-app-v41.txt'));
    });

    it('across ids in the messages of the exception and its causes (Java)', () => {
      expect(fixtureFingerprint('java/invocation-caused-by-chain-other-order.txt')).toBe(fixtureFingerprint('java/invocation-caused-by-chain.txt'));
    });

    it('across JVM lambda proxy frames (printed by Java 8 or -XX:+ShowHiddenFrames)', () => {
      expect(fixtureFingerprint('java/hidden-lambda-frames.txt')).toBe(fixtureFingerprint('java/invocation-caused-by-chain.txt'));
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

    it('across messages, when the frames name the code: the template is not an input', () => {
      const stack = readFixture('node/typeerror-nested.txt');
      expect(fingerprintOf(stack, 'TypeError', 'cart.items is not iterable')).toBe(fingerprintOf(stack, 'TypeError', "Cannot read properties of undefined (reading 'items')"));
      expect(inputsOf('node/typeerror-nested.txt').messageTemplate).toBeNull();
    });

    it('across line numbers and release directories of a format without a parser (generic lines)', () => {
      const stack = readFixture('generic/perl-confess.txt');
      const moved = stack.replace(/line (\d+)/g, (_line, n: string) => `line ${Number(n) + 4}`).replace(/confess\.pl/g, '/srv/releases/v42/shop/confess.pl').replace(/c-1001/g, 'c-2042');
      expect(fingerprintOf(moved, 'Error', 'cart c-2042 not found')).toBe(fingerprintOf(stack, 'Error', 'cart c-1001 not found'));
      expect(groupingInputs(inputOf(moved)).exceptions[0].frames[0]).toEqual([null, 'main::load_cart(<str>) called at confess.pl line <num>', null]);
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

    it('another cause below the same reported exception', () => {
      const stack = readFixture('java/invocation-caused-by-chain.txt');
      const otherCause = stack.replace('Caused by: java.sql.SQLException', 'Caused by: java.sql.SQLTimeoutException');
      expect(fingerprintOf(otherCause)).not.toBe(fingerprintOf(stack));
      const otherCauseLocation = stack.replace('OrderRepository.amountOf(OrderRepository.java:13)', 'OrderRepository.amountFor(OrderRepository.java:13)');
      expect(fingerprintOf(otherCauseLocation)).not.toBe(fingerprintOf(stack));
    });

    it('another message when the only frames are anonymous functions: a file alone does not locate the code', () => {
      const stack = readFixture('dd-trace/payment-declined-v04.txt');
      expect(inputsOf('dd-trace/payment-declined-v04.txt')).toMatchObject({ exceptions: [{ type: null, frames: [[null, null, 'routes.js']] }], messageTemplate: expect.stringContaining('Payment declined') });
      expect(fingerprintOf(stack, 'Error', 'inventory service timed out after 5ms')).not.toBe(fingerprintOf(stack, 'Error', 'cart is empty'));
    });

    it('cannot be confused by where one input ends and the next begins', () => {
      const stack = { language: 'node' as const, exceptions: [] };
      expect(computeFingerprint({ errorType: 'a', messageTemplate: 'b:c', stack })).not.toBe(computeFingerprint({ errorType: 'a:b', messageTemplate: 'c', stack }));
    });
  });

  it('uses the parameterised message when no frame is usable', () => {
    const stack = { language: 'node' as const, exceptions: [{ type: 'Error', message: null, frames: [frame(null, null)] }] };
    expect(groupingInputs({ errorType: 'Error', messageTemplate: 'cart <id> is empty', stack })).toEqual({ errorType: 'Error', exceptions: [{ type: null, frames: [] }], messageTemplate: 'cart <id> is empty' });
    expect(computeFingerprint({ errorType: 'Error', messageTemplate: 'cart <id> is empty', stack })).not.toBe(computeFingerprint({ errorType: 'Error', messageTemplate: 'cart <id> is full', stack }));
  });
});

describe('groupingInputs', () => {
  it('uses in-app frames only, as (module, function, file) without line or column', () => {
    expect(inputsOf('node/node-modules-and-timers.txt').exceptions).toEqual([{ type: null, frames: [[null, 'getInvoice', 'server.js']] }]);
  });

  it('uses every frame when no frame of the chain is in-app', () => {
    const libraryOnly = readFixture('dd-trace/payment-declined-v04.txt').replace(/^ {4}at \/srv\/shop-app\/checkout-01\/routes\.js.*\n/m, '');
    const [reported] = groupingInputs(inputOf(libraryOnly)).exceptions;
    expect(reported.frames[0]).toEqual([null, 'Layer.handleRequest', 'router/lib/layer.js']);
    // dd-trace wraps Layer.handleRequest twice in router.js: consecutive repeats collapse into one.
    expect(reported.frames).toHaveLength(7);
  });

  it('takes the causes with their printed type, in-app frames only (Java Caused by, Python chains, Node [cause])', () => {
    expect(inputsOf('java/invocation-caused-by-chain.txt').exceptions).toEqual([
      { type: null, frames: [['com.shop.orders.Main', 'Main.main', 'Main.java']] },
      {
        type: 'java.lang.IllegalStateException',
        frames: [
          ['com.shop.orders.OrderService', 'OrderService.charge', 'OrderService.java'],
          ['com.shop.orders.OrderService', 'OrderService.lambda$total', 'OrderService.java'],
          ['com.shop.orders.OrderService', 'OrderService.total', 'OrderService.java'],
          ['com.shop.orders.Main', 'Main.handleCheckout', 'Main.java'],
        ],
      },
      {
        type: 'java.sql.SQLException',
        frames: [
          ['com.shop.orders.OrderRepository', 'OrderRepository.amountOf', 'OrderRepository.java'],
          ['com.shop.orders.OrderService', 'OrderService.charge', 'OrderService.java'],
        ],
      },
    ]);
    expect(inputsOf('python/chained-during-handling.txt').exceptions.map((exception) => exception.type)).toEqual([null, 'json.decoder.JSONDecodeError']);
    expect(inputsOf('node/cause-and-eval-inspect.txt').exceptions[1]).toEqual({
      type: 'Error',
      frames: [
        [null, 'lookup', 'cause-and-eval.js'],
        [null, 'eval', 'cause-and-eval.js'],
        [null, 'queryInventory', 'cause-and-eval.js'],
        [null, 'reserveStock', 'cause-and-eval.js'],
        [null, 'Object.<anonymous>', 'cause-and-eval.js'],
      ],
    });
  });

  it('collapses direct recursion', () => {
    expect(inputsOf('node/direct-recursion.txt').exceptions[0].frames).toEqual([
      [null, 'visit', 'recursion.js'],
      [null, 'Object.<anonymous>', 'recursion.js'],
    ]);
    expect(inputsOf('node/stack-overflow.txt').exceptions[0].frames).toEqual([[null, 'walk', 'stack-overflow.js']]);
    expect(inputsOf('python/recursion-error.txt').exceptions[0].frames).toEqual([
      [null, 'walk', 'recursion_error.py'],
      [null, '<module>', 'recursion_error.py'],
    ]);
  });

  it('collapses mutual recursion (cycles of up to three frames), whatever the depth', () => {
    const cycle = (depth: number) => [frame('even', 'parity.js'), ...Array.from({ length: depth }, () => [frame('odd', 'parity.js'), frame('even', 'parity.js')]).flat(), frame('main', 'parity.js')];
    const keysOf = (frames: StackFrame[]) => groupingInputs({ errorType: 'RangeError', messageTemplate: '', stack: { language: 'node', exceptions: [{ type: null, message: null, frames }] } }).exceptions[0].frames;
    expect(keysOf(cycle(7))).toEqual([
      [null, 'even', 'parity.js'],
      [null, 'odd', 'parity.js'],
      [null, 'even', 'parity.js'],
      [null, 'main', 'parity.js'],
    ]);
    expect(keysOf(cycle(2))).toEqual(keysOf(cycle(40)));
  });

  it('keeps the JVM class so same-named methods of different classes stay apart', () => {
    expect(inputsOf('java/suppressed.txt').exceptions[0].frames).toEqual([
      ['com.shop.orders.Main$AuditLog', 'Main$AuditLog.write', 'Main.java'],
      ['com.shop.orders.Main', 'Main.main', 'Main.java'],
    ]);
  });

  it(`keeps at most the ${MAX_GROUPING_FRAMES} innermost frames per exception and ${MAX_GROUPING_EXCEPTIONS} exceptions`, () => {
    const deep = Array.from({ length: 45 }, (_, depth) => frame(`step${depth}`, 'pipeline.js'));
    const exceptions = Array.from({ length: 12 }, () => ({ type: 'Error', message: null, frames: deep }));
    const inputs = groupingInputs({ errorType: 'Error', messageTemplate: '', stack: { language: 'node', exceptions } });
    expect(inputs.exceptions).toHaveLength(MAX_GROUPING_EXCEPTIONS);
    expect(inputs.exceptions[0].frames).toHaveLength(MAX_GROUPING_FRAMES);
    expect(inputs.exceptions[0].frames[0]).toEqual([null, 'step0', 'pipeline.js']);
  });
});

describe('customFingerprint', () => {
  it('hashes the trimmed value under its own tag, never equal to a computed fingerprint', () => {
    expect(customFingerprint('  payments-outage ')).toBe(customFingerprint('payments-outage'));
    expect(customFingerprint('payments-outage')).toMatch(/^[0-9a-f]{32}$/);
    expect(customFingerprint('payments-outage')).not.toBe(customFingerprint('inventory-outage'));
    const stack = { language: 'node' as const, exceptions: [] };
    expect(customFingerprint('custom')).not.toBe(computeFingerprint({ errorType: 'custom', messageTemplate: '', stack }));
  });

  it('is null for an absent or blank value', () => {
    expect(customFingerprint(null)).toBeNull();
    expect(customFingerprint(undefined)).toBeNull();
    expect(customFingerprint(' \t')).toBeNull();
  });

  it(`uses the first ${MAX_CUSTOM_FINGERPRINT_CHARS} characters only`, () => {
    const long = 'x'.repeat(MAX_CUSTOM_FINGERPRINT_CHARS);
    expect(customFingerprint(`${long}-tail`)).toBe(customFingerprint(long));
  });
});

describe('computeFingerprintV1 (frozen, for the upgrade note)', () => {
  it('still gives the pinned v1 value, which v2 does not reproduce', () => {
    const { errorType, messageTemplate, stack } = inputOf(readFixture('dd-trace/payment-declined-v04.txt'));
    expect(computeFingerprintV1({ errorType, messageTemplate, frames: stack.frames })).toBe('b5d349672b45bd3a0080f5627e21560e');
    expect(computeFingerprint({ errorType, messageTemplate, stack })).not.toBe('b5d349672b45bd3a0080f5627e21560e');
  });

  it('split on messages and ignored causes, which v2 fixes', () => {
    const stack = readFixture('node/typeerror-nested.txt');
    const v1 = (message: string) => computeFingerprintV1({ errorType: 'TypeError', messageTemplate: normaliseMessage(message), frames: parseStack(stack).frames });
    expect(v1('user alice not found')).not.toBe(v1('user bob not found'));
    const chain = readFixture('java/invocation-caused-by-chain.txt');
    const otherCause = chain.replace('Caused by: java.sql.SQLException', 'Caused by: java.sql.SQLTimeoutException');
    const v1Of = (text: string) => computeFingerprintV1({ errorType: 'InvocationTargetException', messageTemplate: '', frames: parseStack(text).frames });
    expect(v1Of(otherCause)).toBe(v1Of(chain));
  });
});
