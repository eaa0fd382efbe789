import { isJvmLibraryClass, isNodeLibraryFile, isPythonLibraryFile } from './in-app';

describe('in-app rules', () => {
  it.each([
    ['/srv/app/node_modules/express/lib/router/layer.js', true],
    ['C:\\app\\node_modules\\express\\index.js', true],
    ['node:internal/timers', true],
    ['internal/process/task_queues.js', true],
    ['/srv/app/routes.js', false],
    ['/srv/app/node_modules_backup_notes.js', false],
  ])('node %s is library: %s', (path, library) => {
    expect(isNodeLibraryFile(path)).toBe(library);
  });

  it.each([
    ['/srv/app/.venv/lib/python3.12/site-packages/django/core/handlers/base.py', true],
    ['/usr/lib/python3/dist-packages/yaml/parser.py', true],
    ['/usr/lib/python3.11/json/decoder.py', true],
    ['/usr/local/lib/python3.9/asyncio/events.py', true],
    ['<frozen importlib._bootstrap>', true],
    ['/srv/app/orders.py', false],
    ['<string>', false],
  ])('python %s is library: %s', (path, library) => {
    expect(isPythonLibraryFile(path)).toBe(library);
  });

  it.each([
    ['java.lang.Thread', true],
    ['jdk.internal.reflect.NativeMethodAccessorImpl', true],
    ['org.springframework.web.servlet.FrameworkServlet', true],
    ['io.netty.channel.AbstractChannelHandlerContext', true],
    ['kotlin.coroutines.jvm.internal.BaseContinuationImpl', true],
    ['com.shop.orders.OrderService', false],
    ['javalin.Handler', false],
  ])('jvm %s is library: %s', (className, library) => {
    expect(isJvmLibraryClass(className)).toBe(library);
  });
});
