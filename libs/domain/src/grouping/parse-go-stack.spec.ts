import { readStack } from './__fixtures__/read-stack';
import { normaliseGoFile } from './file-name';
import { isGoLibraryFile } from './in-app';
import { parseGoStack, splitGoFunction } from './parse-go-stack';
import { detectStackLanguage, parseStack } from './parse-stack';

const WORKER_41 = 'corpus/go/index-out-of-range-worker/release-41.txt';
const MINIROUTER_V140 = 'corpus/go/nil-customer-notify/minirouter-v1.4.0.txt';
const MINIROUTER_V150_TRIMPATH = 'corpus/go/nil-customer-notify/minirouter-v1.5.0-trimpath.txt';
const REPANIC = 'go/repanic-all-goroutines.txt';

describe('parseGoStack', () => {
  it('reads a panic in a pointer-receiver method of a goroutine, `created by` as the outermost frame', () => {
    const [exception] = parseGoStack(readStack(WORKER_41));
    expect(exception.type).toBeNull();
    expect(exception.message).toBe('runtime error: index out of range [5] with length 3');
    expect(exception.frames).toEqual([
      // `main.(*Server).handle(...)`: inlined, no offset
      { function: '(*Server).handle', file: 'main.go', module: 'main', line: 14, column: null, inApp: true },
      { function: '(*Server).worker', file: 'main.go', module: 'main', line: 20, column: null, inApp: true },
      { function: 'main', file: 'main.go', module: 'main', line: 29, column: null, inApp: true },
    ]);
  });

  it('drops pointer arguments and keeps module-cache frames as library, without the module version', () => {
    const [exception] = parseGoStack(readStack(MINIROUTER_V140));
    expect(exception.frames.map((frame) => [frame.module, frame.function, frame.file, frame.line, frame.inApp])).toEqual([
      ['main', '(*OrderHandler).Serve', 'main.go', 26, true],
      ['example.com/minirouter', '(*Router).invoke', 'example.com/minirouter/router.go', 27, false],
      ['example.com/minirouter', '(*Router).Dispatch', 'example.com/minirouter/router.go', 23, false],
      ['main', 'main', 'main.go', 34, true],
    ]);
  });

  it('gives a -trimpath build of another dependency version the same functions and files', () => {
    const keys = (fixture: string) => parseGoStack(readStack(fixture))[0].frames.map((frame) => [frame.module, frame.function, frame.file, frame.inApp]);
    expect(keys(MINIROUTER_V150_TRIMPATH)).toEqual(keys(MINIROUTER_V140));
  });

  it('keeps only the panicking goroutine of a GOTRACEBACK=all dump and the last of nested panics', () => {
    const chain = parseGoStack(readStack(REPANIC));
    expect(chain).toHaveLength(1);
    expect(chain[0].message).toBe('ledger entry rejected: json: cannot unmarshal string into Go struct field .amount of type int');
    expect(chain[0].frames.map((frame) => [frame.module, frame.function, frame.file, frame.inApp])).toEqual([
      ['main', '(*Ledger).apply.func1', 'main.go', true],
      [null, 'panic', 'runtime/panic.go', false],
      ['main', '(*Ledger).apply', 'main.go', true],
      ['main', 'main', 'main.go', true],
    ]);
  });

  it('loses no frame of the panicking goroutine', () => {
    for (const fixture of [WORKER_41, MINIROUTER_V140, MINIROUTER_V150_TRIMPATH, REPANIC]) {
      const firstGoroutine = readStack(fixture).split(/\n\n(?=goroutine )/)[1];
      const locationLines = firstGoroutine.split('\n').filter((line) => /^\t\S+\.go:\d+/.test(line));
      expect(parseGoStack(readStack(fixture))[0].frames).toHaveLength(locationLines.length);
    }
  });

  it('reads the header-less frames of runtime/debug.Stack() and dd-trace-go, and Go 1.21 `created by … in goroutine N`', () => {
    const stack = [
      'main.(*Server).handle',
      '\t/srv/app/server.go:14',
      'created by main.main in goroutine 1',
      '\t/srv/app/main.go:29 +0x16a',
    ].join('\n');
    expect(parseGoStack(stack)[0].frames.map((frame) => [frame.function, frame.file, frame.line])).toEqual([
      ['(*Server).handle', 'server.go', 14],
      ['main', 'main.go', 29],
    ]);
  });

  it('splits package path and function at the first dot after the last slash', () => {
    expect(splitGoFunction('github.com/go-chi/chi/v5.(*Mux).ServeHTTP')).toEqual({ packagePath: 'github.com/go-chi/chi/v5', functionName: '(*Mux).ServeHTTP' });
    expect(splitGoFunction('net/http.HandlerFunc.ServeHTTP')).toEqual({ packagePath: 'net/http', functionName: 'HandlerFunc.ServeHTTP' });
    // The linker escapes dots in the last path element: `gopkg.in/yaml.v3` prints as `yaml%2ev3`.
    expect(splitGoFunction('gopkg.in/yaml%2ev3.(*decoder).unmarshal')).toEqual({ packagePath: 'gopkg.in/yaml.v3', functionName: '(*decoder).unmarshal' });
    expect(splitGoFunction('panic')).toEqual({ packagePath: null, functionName: 'panic' });
  });

  it('stays linear on a pathological 250 KB line (a backtracking regex would take seconds)', () => {
    const line = '\t' + 'a.go:1'.repeat(40_000);
    const started = Date.now();
    parseGoStack(`${line}\n${line}`);
    parseStack(`${line}\n${line}`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('is detected as Go', () => {
    for (const fixture of [WORKER_41, MINIROUTER_V150_TRIMPATH, REPANIC]) {
      expect(detectStackLanguage(readStack(fixture))).toBe('go');
      expect(parseStack(readStack(fixture)).language).toBe('go');
    }
  });
});

describe('Go files and library code', () => {
  it.each([
    ['/root/go/pkg/mod/example.com/minirouter@v1.4.0/router.go', 'example.com/minirouter/router.go'],
    ['example.com/minirouter@v1.5.0/router.go', 'example.com/minirouter/router.go'],
    ['/home/ci/go/pkg/mod/golang.org/x/net@v0.0.0-20230101000000-abcdef123456/http2/server.go', 'golang.org/x/net/http2/server.go'],
    ['/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go', 'github.com/BurntSushi/toml/decode.go'],
    ['/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go', 'github.com/go-chi/chi/v5/mux.go'],
    ['/srv/app/vendor/github.com/lib/pq/conn.go', 'github.com/lib/pq/conn.go'],
    ['/usr/lib/go-1.19/src/runtime/panic.go', 'runtime/panic.go'],
    ['/usr/local/go/src/net/http/server.go', 'net/http/server.go'],
    ['runtime/panic.go', 'runtime/panic.go'],
    ['/tmp/flgen/go/releases/41/worker/main.go', 'main.go'],
    ['example.com/orders-api/internal/orders/service.go', 'service.go'],
  ])('%s -> %s', (path, file) => {
    expect(normaliseGoFile(path)).toBe(file);
  });

  it.each([
    ['/root/go/pkg/mod/example.com/minirouter@v1.4.0/router.go', true],
    ['example.com/minirouter@v1.5.0/router.go', true],
    ['/srv/app/vendor/github.com/lib/pq/conn.go', true],
    ['/usr/lib/go-1.19/src/runtime/panic.go', true],
    ['/usr/local/go/src/net/http/server.go', true],
    ['/opt/homebrew/Cellar/go/1.22.1/libexec/src/net/http/server.go', true],
    ['C:/Program Files/Go/src/runtime/panic.go', true],
    ['runtime/panic.go', true],
    ['/tmp/flgen/go/releases/41/worker/main.go', false],
    ['example.com/orders-api/main.go', false],
    // GOPATH mode keeps app code under go/src/<host>/...
    ['/home/dev/go/src/github.com/acme/shop/main.go', false],
  ])('%s is library: %s', (path, library) => {
    expect(isGoLibraryFile(path)).toBe(library);
  });
});
