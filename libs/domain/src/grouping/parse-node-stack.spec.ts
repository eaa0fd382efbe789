import { readFixture } from './__fixtures__/read-fixture';
import { parseNodeStack } from './parse-node-stack';

function mainFrames(fixture: string) {
  return parseNodeStack(readFixture(fixture))[0].frames;
}

describe('parseNodeStack', () => {
  it('reads function, bare file name, line and column of each V8 frame, innermost first', () => {
    const [exception] = parseNodeStack(readFixture('node/typeerror-nested.txt'));
    expect(exception.type).toBe('TypeError');
    expect(exception.message).toBe("Cannot read properties of undefined (reading 'items')");
    expect(exception.frames).toHaveLength(10);
    expect(exception.frames[0]).toEqual({
      function: 'CartService.total',
      file: 'typeerror-nested.js',
      module: null,
      line: 5,
      column: 17,
      inApp: true,
    });
    expect(exception.frames.slice(1, 4).map((frame) => frame.function)).toEqual(['parseCart', 'handleCheckout', 'Object.<anonymous>']);
  });

  it('marks node:internal frames as library, drops `[as alias]`, and reads frames without a function', () => {
    const frames = mainFrames('node/typeerror-nested.txt');
    expect(frames[4]).toMatchObject({ function: 'Module._compile', file: 'node:internal/modules/cjs/loader', line: 1521, inApp: false });
    expect(frames[8]).toMatchObject({ function: 'Function.executeUserEntryPoint', file: 'node:internal/modules/run_main', inApp: false });
    expect(frames[9]).toEqual({ function: null, file: 'node:internal/main/run_main_module', module: null, line: 28, column: 49, inApp: false });
  });

  it('strips `async` from awaited callers', () => {
    expect(mainFrames('node/async-rejection.txt').map((frame) => [frame.function, frame.line])).toEqual([
      ['loadUser', 5],
      ['renderProfile', 8],
      ['handleProfileRequest', 12],
    ]);
  });

  it('keeps `new` on constructors and treats `<anonymous>` builtins as library frames without a file', () => {
    const frames = mainFrames('node/constructor-and-builtin.txt');
    expect(frames[0]).toMatchObject({ function: 'new Order', file: 'alias-and-constructor.js', line: 5, column: 25, inApp: true });
    expect(frames[2]).toMatchObject({ function: null, file: 'alias-and-constructor.js', line: 17, inApp: true });
    expect(frames[3]).toEqual({ function: 'Array.forEach', file: null, module: null, line: null, column: null, inApp: false });
  });

  it('turns file:// URLs of ES modules into file names', () => {
    const frames = mainFrames('node/esm-file-url.txt');
    expect(frames[0]).toMatchObject({ function: 'JSON.parse', file: null, inApp: false });
    expect(frames[1]).toMatchObject({ function: 'readConfig', file: 'esm-file-url.mjs', line: 3, column: 15, inApp: true });
    expect(frames[3]).toMatchObject({ function: null, file: 'esm-file-url.mjs', line: 9 });
    expect(frames[5]).toMatchObject({ function: 'ModuleLoader.import', file: 'node:internal/modules/esm/loader', inApp: false });
  });

  it('strips the content hash from bundled file names', () => {
    expect(mainFrames('node/bundled-content-hash.txt')[0]).toMatchObject({ function: 'submitForm', file: 'main.js', line: 4 });
  });

  it('keeps the path inside the package for node_modules frames and marks them library', () => {
    const frames = mainFrames('node/node-modules-and-timers.txt');
    expect(frames[0]).toMatchObject({ function: 'getInvoice', file: 'server.js', inApp: true });
    expect(frames[1]).toMatchObject({ function: 'Object.handleRequest', file: 'mini-router/lib/layer.js', inApp: false });
    expect(frames[3]).toMatchObject({ function: 'listOnTimeout', file: 'node:internal/timers', inApp: false });
  });

  it('reads the stacks dd-trace and OpenTelemetry captured from an Express app', () => {
    const ddTrace = mainFrames('dd-trace/payment-declined-v04.txt');
    expect(ddTrace[0]).toEqual({ function: null, file: 'routes.js', module: null, line: 37, column: 11, inApp: true });
    expect(ddTrace[1]).toMatchObject({ function: 'Layer.handleRequest', file: 'router/lib/layer.js', line: 169, inApp: false });
    expect(ddTrace[2]).toMatchObject({ file: 'dd-trace/packages/datadog-instrumentations/src/router.js', inApp: false });

    const otel = mainFrames('dd-trace/typeerror-otlp.txt');
    expect(otel[0]).toMatchObject({ function: 'parseCart', file: 'routes.js', line: 17, column: 30, inApp: true });
    expect(otel[3]).toMatchObject({ function: 'AsyncLocalStorage.run', file: 'node:async_hooks', inApp: false });
    expect(otel[6]).toMatchObject({
      function: 'Layer.wrapped_handle_request',
      file: '@opentelemetry/instrumentation-router/build/src/instrumentation.js',
      inApp: false,
    });
  });

  it('attributes eval frames to the calling file and reads an inspected cause as the next exception', () => {
    const chain = parseNodeStack(readFixture('node/cause-and-eval-inspect.txt'));
    expect(chain.map((exception) => [exception.type, exception.message])).toEqual([
      ['Error', 'could not reserve sku-404'],
      ['Error', 'sku sku-404 missing'],
    ]);
    expect(chain[0].frames.map((frame) => frame.function)).toEqual([
      'reserveStock',
      'Object.<anonymous>',
      'Function.executeUserEntryPoint',
      null,
    ]);
    expect(chain[0].frames[3]).toMatchObject({ file: 'node:internal/main/run_main_module', line: 28, column: 49 });
    expect(chain[1].frames[0]).toMatchObject({ function: 'lookup', file: 'cause-and-eval.js', line: 5, column: 10, inApp: true });
    expect(chain[1].frames[1]).toMatchObject({ function: 'eval', file: 'cause-and-eval.js' });
  });
});
