import { readFixture } from './__fixtures__/read-fixture';
import { parseJvmStack } from './parse-jvm-stack';

describe('parseJvmStack', () => {
  it('reads the thrown exception first and each `Caused by:` after it', () => {
    const chain = parseJvmStack(readFixture('java/invocation-caused-by-chain.txt'));
    expect(chain.map((exception) => [exception.type, exception.message])).toEqual([
      ['java.lang.reflect.InvocationTargetException', null],
      ['java.lang.IllegalStateException', 'could not charge order ORD-2024-00042'],
      ['java.sql.SQLException', 'no row for order_id=ORD-2024-00042 in table orders'],
    ]);
    // `... 5 more` and `... 9 more` stand for frames already printed: they are not frames.
    expect(chain.map((exception) => exception.frames.length)).toEqual([5, 5, 2]);
  });

  it('strips the `java.base/` module prefix and reads native frames without a file', () => {
    const [thrown] = parseJvmStack(readFixture('java/invocation-caused-by-chain.txt'));
    expect(thrown.frames[0]).toEqual({
      function: 'NativeMethodAccessorImpl.invoke0',
      file: null,
      module: 'jdk.internal.reflect.NativeMethodAccessorImpl',
      line: null,
      column: null,
      inApp: false,
    });
    expect(thrown.frames[3]).toMatchObject({ function: 'Method.invoke', file: 'Method.java', module: 'java.lang.reflect.Method', line: 569, inApp: false });
    expect(thrown.frames[4]).toEqual({
      function: 'Main.main',
      file: 'Main.java',
      module: 'com.shop.orders.Main',
      line: 12,
      column: null,
      inApp: true,
    });
  });

  it('drops the compiler counter from lambda methods and hidden lambda classes', () => {
    const cause = parseJvmStack(readFixture('java/hidden-lambda-frames.txt'))[1];
    expect(cause.frames.slice(0, 4).map((frame) => [frame.module, frame.function, frame.file, frame.inApp])).toEqual([
      ['com.shop.orders.OrderService', 'OrderService.charge', 'OrderService.java', true],
      ['com.shop.orders.OrderService', 'OrderService.lambda$total', 'OrderService.java', true],
      ['com.shop.orders.OrderService$$Lambda', 'OrderService$$Lambda.accept', null, true],
      ['java.lang.Iterable', 'Iterable.forEach', 'Iterable.java', false],
    ]);
  });

  it('reads `Unknown Source` frames of classes compiled without debug information', () => {
    const [exception] = parseJvmStack(readFixture('java/unknown-source.txt'));
    expect(exception.message).toBe('For input string: "-tenpercent"');
    expect(exception.frames[3]).toEqual({
      function: 'LegacyPricing.discountFor',
      file: null,
      module: 'com.shop.legacy.LegacyPricing',
      line: null,
      column: null,
      inApp: true,
    });
  });

  it('leaves suppressed exceptions out of the thrown exception frames', () => {
    const chain = parseJvmStack(readFixture('java/suppressed.txt'));
    expect(chain).toHaveLength(1);
    expect(chain[0].frames.map((frame) => [frame.function, frame.line])).toEqual([
      ['Main$AuditLog.write', 34],
      ['Main.main', 22],
    ]);
  });
});
