import { readStack } from './__fixtures__/read-stack';
import { normalisePhpFile } from './file-name';
import { isPhpLibraryFile } from './in-app';
import { parsePhpStack } from './parse-php-stack';
import { detectStackLanguage, parseStack } from './parse-stack';

const ORDER_NOT_FOUND = 'corpus/php/order-not-found-router/release-v2.3.0-no-args.txt';
const ORDER_NOT_FOUND_ARGS = 'corpus/php/order-not-found-router/release-v2.3.1-with-args.txt';
const DIVISION_BY_ZERO = 'corpus/php/unit-price-division-by-zero/checkout-a.txt';
const PREVIOUS_CHAIN = 'php/previous-next-chain.txt';

describe('parsePhpStack', () => {
  it('pairs each function with where it was executing: the throw site first, `{main}` last', () => {
    const [exception] = parsePhpStack(readStack(ORDER_NOT_FOUND));
    expect(exception).toMatchObject({ type: 'Shop\\OrderNotFound', message: 'Order ord_8f2a1c not found' });
    expect(exception.frames[0]).toEqual({
      function: 'OrderRepository->find',
      file: 'OrderRepository.php',
      module: 'Shop\\OrderRepository',
      line: 16,
      column: null,
      inApp: true,
    });
    expect(exception.frames.map((frame) => [frame.function, frame.file, frame.line, frame.inApp])).toEqual([
      ['OrderRepository->find', 'OrderRepository.php', 16, true],
      ['OrderService->load', 'OrderService.php', 13, true],
      ['show_order', 'index.php', 13, true],
      ['{closure}', 'index.php', 19, true],
      // called from `[internal function]`: a built-in
      ['call_user_func', null, null, false],
      ['Router->dispatch', 'minirouter/router/src/Router.php', 17, false],
      ['{main}', 'index.php', 21, true],
    ]);
  });

  it('ignores the arguments PHP prints when zend.exception_ignore_args is off', () => {
    const keys = (fixture: string) => parsePhpStack(readStack(fixture))[0].frames.map((frame) => [frame.module, frame.function, frame.file]);
    expect(keys(ORDER_NOT_FOUND_ARGS)).toEqual(keys(ORDER_NOT_FOUND));
  });

  it('gives a throw inside a built-in (`intdiv()`) no file, and keeps static calls', () => {
    const [exception] = parsePhpStack(readStack(DIVISION_BY_ZERO));
    expect(exception.type).toBe('DivisionByZeroError');
    expect(exception.frames.slice(0, 2)).toEqual([
      { function: 'intdiv', file: null, module: null, line: null, column: null, inApp: false },
      { function: 'Pricing::unitPrice', file: 'Pricing.php', module: 'Shop\\Pricing', line: 9, column: null, inApp: true },
    ]);
  });

  it('starts the chain with the exception thrown last (`Next`) and keeps the previous one after it', () => {
    const chain = parsePhpStack(readStack(PREVIOUS_CHAIN));
    expect(chain.map((exception) => exception.type)).toEqual(['Shop\\Import\\ImportFailed', 'ValueError']);
    expect(chain[0].frames.map((frame) => [frame.function, frame.line])).toEqual([
      ['CsvImporter->import', 16],
      ['{main}', 27],
    ]);
    expect(chain[1].message).toBe('str_repeat(): Argument #2 ($times) must be greater than or equal to 0');
    expect(chain[1].frames.map((frame) => frame.function)).toEqual(['str_repeat', 'CsvImporter->parseRow', 'array_map', 'CsvImporter->import', '{main}']);
  });

  it('reads getTraceAsString() without a header, and PHP 8.4 closure names without their line', () => {
    const stack = ['#0 /srv/app/src/Routes.php(18): {closure:/srv/app/src/Routes.php:12}(Array)', '#1 {main}'].join('\n');
    expect(parsePhpStack(stack)[0].frames).toEqual([
      { function: '{closure}', file: null, module: null, line: null, column: null, inApp: true },
      { function: '{main}', file: 'Routes.php', module: null, line: 18, column: null, inApp: true },
    ]);
  });

  it('loses no frame', () => {
    for (const fixture of [ORDER_NOT_FOUND, DIVISION_BY_ZERO, PREVIOUS_CHAIN]) {
      const traceLines = readStack(fixture).split('\n').filter((line) => /^#\d+ /.test(line));
      expect(parsePhpStack(readStack(fixture)).flatMap((exception) => exception.frames)).toHaveLength(traceLines.length);
    }
  });

  it('stays linear on a pathological 250 KB line (a backtracking regex would take seconds)', () => {
    const line = 'PHP Fatal error:  Uncaught X: ' + ' in a:1'.repeat(35_000);
    const started = Date.now();
    parsePhpStack(`${line}\n${line}`);
    parseStack(`${line}\n${line}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('is detected as PHP', () => {
    for (const fixture of [ORDER_NOT_FOUND, DIVISION_BY_ZERO, PREVIOUS_CHAIN]) {
      expect(detectStackLanguage(readStack(fixture))).toBe('php');
      expect(parseStack(readStack(fixture)).language).toBe('php');
    }
  });
});

describe('PHP files and library code', () => {
  it.each([
    ['/srv/shop/vendor/monolog/monolog/src/Monolog/Logger.php', 'monolog/monolog/src/Monolog/Logger.php', true],
    ['C:\\inetpub\\shop\\vendor\\guzzlehttp\\guzzle\\src\\Client.php', 'guzzlehttp/guzzle/src/Client.php', true],
    ['/tmp/flgen/php/releases/v2.3.0/src/OrderRepository.php', 'OrderRepository.php', false],
    ['/srv/shop/src/Vendors/VendorController.php', 'VendorController.php', false],
  ])('%s -> %s (library: %s)', (path, file, library) => {
    expect(normalisePhpFile(path)).toBe(file);
    expect(isPhpLibraryFile(path)).toBe(library);
  });
});
