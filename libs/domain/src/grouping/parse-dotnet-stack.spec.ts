import { readStack } from './__fixtures__/read-stack';
import { isDotnetLibraryType } from './in-app';
import { normaliseGeneratedNames, parseDotnetStack } from './parse-dotnet-stack';
import { detectStackLanguage, parseStack } from './parse-stack';

const NET8_INNER = 'corpus/dotnet/order-load-key-not-found/net8-container-build.txt';
const NETFX_ASYNC = 'corpus/dotnet/invoice-render-null-reference/netfx48-agent-3.txt';
const NETFX_ASYNC_REBUILT = 'corpus/dotnet/invoice-render-null-reference/netfx48-rebuilt-state-machines.txt';

describe('parseDotnetStack', () => {
  it('puts the outer exception first and its ` ---> ` inner exception after it, each with its own frames', () => {
    const chain = parseDotnetStack(readStack(NET8_INNER));
    expect(chain.map((exception) => [exception.type, exception.message])).toEqual([
      ['System.InvalidOperationException', 'Order ord_8f2a1c could not be loaded'],
      ['System.Collections.Generic.KeyNotFoundException', "The given key 'ord_8f2a1c' was not present in the dictionary."],
    ]);
    expect(chain[1].frames).toEqual([
      { function: 'Dictionary`2.get_Item', file: null, module: 'System.Collections.Generic.Dictionary`2', line: null, column: null, inApp: false },
      { function: 'InMemoryOrderStore.Get', file: 'InMemoryOrderStore.cs', module: 'Shop.Orders.InMemoryOrderStore', line: 19, column: null, inApp: true },
      { function: 'OrderService.LoadAsync', file: 'OrderService.cs', module: 'Shop.Orders.OrderService', line: 31, column: null, inApp: true },
    ]);
    expect(chain[0].frames.slice(0, 3).map((frame) => [frame.function, frame.file, frame.line, frame.inApp])).toEqual([
      ['OrderService.LoadAsync', 'OrderService.cs', 36, true],
      ['OrdersController.Get', 'OrdersController.cs', 24, true],
      // an expression compiled by ASP.NET Core at run time, numbered per process
      ['lambda_method', null, null, false],
    ]);
    expect(chain[0].frames.filter((frame) => frame.inApp)).toHaveLength(2);
  });

  it('names async state machine frames after their method, skipping `--- End of stack trace from previous location ---`', () => {
    const [exception] = parseDotnetStack(readStack(NETFX_ASYNC));
    expect(exception.type).toBe('System.NullReferenceException');
    const inApp = exception.frames.filter((frame) => frame.inApp);
    expect(inApp).toEqual([
      { function: 'InvoiceRenderer.FormatCustomer', file: 'InvoiceRenderer.cs', module: 'Shop.Billing.InvoiceRenderer', line: 44, column: null, inApp: true },
      // `Shop.Billing.InvoiceRenderer.<RenderAsync>d__7.MoveNext() in C:\agent\_work\3\s\src\Shop.Billing\InvoiceRenderer.cs:line 29`
      { function: 'InvoiceRenderer.RenderAsync', file: 'InvoiceRenderer.cs', module: 'Shop.Billing.InvoiceRenderer', line: 29, column: null, inApp: true },
      { function: 'InvoicesController.Download', file: 'InvoicesController.cs', module: 'Shop.Billing.Web.Controllers.InvoicesController', line: 37, column: null, inApp: true },
    ]);
    // `System.Threading.Tasks.TaskHelpersExtensions.<CastToObject>d__1`1.MoveNext()`: a generic state machine
    expect(exception.frames[8]).toMatchObject({ function: 'TaskHelpersExtensions.CastToObject', inApp: false });
  });

  it('gives a rebuild with renumbered state machines and another checkout directory the same frames', () => {
    const keys = (fixture: string) => parseDotnetStack(readStack(fixture))[0].frames.map((frame) => [frame.module, frame.function, frame.file]);
    expect(keys(NETFX_ASYNC_REBUILT)).toEqual(keys(NETFX_ASYNC));
  });

  it('reads .NET Framework inner exceptions on the header line and frames without a source location', () => {
    const stack = [
      'System.InvalidOperationException: Order could not be loaded ---> System.Collections.Generic.KeyNotFoundException: The given key was not present in the dictionary.',
      '   at System.ThrowHelper.ThrowKeyNotFoundException()',
      '   at Shop.Orders.OrderStore.Get(String id)',
      '   --- End of inner exception stack trace ---',
      '   at Shop.Orders.OrderService..ctor(OrderStore store)',
    ].join('\r\n');
    const chain = parseDotnetStack(stack);
    expect(chain.map((exception) => exception.type)).toEqual(['System.InvalidOperationException', 'System.Collections.Generic.KeyNotFoundException']);
    expect(chain[1].frames.map((frame) => [frame.function, frame.file, frame.inApp])).toEqual([
      ['ThrowHelper.ThrowKeyNotFoundException', null, false],
      ['OrderStore.Get', null, true],
    ]);
    expect(chain[0].frames).toEqual([{ function: 'OrderService..ctor', file: null, module: 'Shop.Orders.OrderService', line: null, column: null, inApp: true }]);
  });

  it.each([
    ['Shop.Billing.InvoiceRenderer.<RenderAsync>d__7.MoveNext', 'Shop.Billing.InvoiceRenderer.RenderAsync'],
    ['Shop.Catalog.Feed.<Items>d__12.MoveNext', 'Shop.Catalog.Feed.Items'],
    ['System.Threading.Tasks.TaskHelpersExtensions.<CastToObject>d__1`1.MoveNext', 'System.Threading.Tasks.TaskHelpersExtensions.CastToObject'],
    ['Shop.Api.Startup.<>c__DisplayClass3_0.<Configure>b__0', 'Shop.Api.Startup.<>c__DisplayClass.<Configure>b__'],
    ['Shop.Api.Program.<>c.<Main>b__0_1', 'Shop.Api.Program.<>c.<Main>b__'],
    ['Shop.Orders.OrderService.<LoadAsync>g__Fetch|4_0', 'Shop.Orders.OrderService.<LoadAsync>g__Fetch'],
    ['lambda_method12', 'lambda_method'],
    ['Shop.Orders.OrderService.LoadAsync', 'Shop.Orders.OrderService.LoadAsync'],
  ])('reduces the generated name %s to %s', (generated, source) => {
    expect(normaliseGeneratedNames(generated)).toBe(source);
  });

  it.each([
    ['System.Collections.Generic.Dictionary`2', true],
    ['Microsoft.AspNetCore.Mvc.Infrastructure.ResourceInvoker', true],
    ['Npgsql.NpgsqlConnector', true],
    ['lambda_method', true],
    ['Shop.Orders.OrderService', false],
    ['SystemsIntegration.Orders.Importer', false],
  ])('type %s is library: %s', (typeName, library) => {
    expect(isDotnetLibraryType(typeName)).toBe(library);
  });

  it('loses no frame', () => {
    for (const fixture of [NET8_INNER, NETFX_ASYNC]) {
      const frameLines = readStack(fixture).split('\n').filter((line) => /^\s+at /.test(line));
      expect(parseDotnetStack(readStack(fixture)).flatMap((exception) => exception.frames)).toHaveLength(frameLines.length);
    }
  });

  it('stays linear on a pathological 250 KB line (a backtracking regex would take seconds)', () => {
    const line = '   at X.Y()' + ' in '.repeat(60_000);
    const started = Date.now();
    parseDotnetStack(`${line}\n${line}`);
    parseStack(`${line}\n${line}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('is detected as .NET, not as JVM or V8', () => {
    for (const fixture of [NET8_INNER, NETFX_ASYNC]) {
      expect(detectStackLanguage(readStack(fixture))).toBe('dotnet');
      expect(parseStack(readStack(fixture)).language).toBe('dotnet');
    }
  });
});
