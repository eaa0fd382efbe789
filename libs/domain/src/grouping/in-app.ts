/**
 * Library (not in-app) recognition by path or namespace. Fingerprints are built from in-app frames,
 * so a frame wrongly marked in-app only adds noise, while app code wrongly marked as library can
 * merge different bugs: the rules below are deliberately conservative, matching only well-known
 * install locations and vendor namespaces.
 */

/** Node: installed packages, the runtime's own modules (`node:internal/…`, pre-16 `internal/…`). */
export function isNodeLibraryFile(path: string): boolean {
  return /(?:^|[/\\])node_modules[/\\]/.test(path) || path.startsWith('node:') || path.startsWith('internal/');
}

/** Python: installed packages, the standard library of any interpreter install, frozen importlib. */
export function isPythonLibraryFile(path: string): boolean {
  return (
    /[/\\](?:site|dist)-packages[/\\]/.test(path) ||
    /[/\\]lib[/\\]python\d(?:\.\d+)?[/\\]/.test(path) ||
    path.startsWith('<frozen ')
  );
}

const JVM_LIBRARY_PREFIXES = [
  'java.', 'javax.', 'jakarta.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.', 'scala.',
  'groovy.', 'org.codehaus.groovy.', 'clojure.', 'org.springframework.', 'org.apache.', 'io.netty.',
  'reactor.', 'io.reactivex.', 'rx.', 'org.hibernate.', 'com.fasterxml.', 'org.eclipse.jetty.',
  'io.undertow.', 'org.glassfish.', 'org.jboss.', 'io.micrometer.', 'io.opentelemetry.', 'datadog.',
  'ch.qos.logback.', 'org.slf4j.', 'com.google.common.', 'com.google.protobuf.', 'io.grpc.',
  'okhttp3.', 'okio.', 'feign.', 'akka.', 'play.', 'io.vertx.', 'io.quarkus.', 'io.micronaut.',
  'org.aspectj.', 'net.bytebuddy.', 'javassist.', 'org.junit.', 'junit.', 'org.mockito.', 'com.zaxxer.',
];

/** JVM: runtime and framework packages, by fully-qualified class name. */
export function isJvmLibraryClass(className: string): boolean {
  return JVM_LIBRARY_PREFIXES.some((prefix) => className.startsWith(prefix));
}

/**
 * Go top-level standard-library directories. Only consulted for `-trimpath` builds, which print
 * GOROOT files relative (`runtime/panic.go`, `net/http/server.go`) and app files by module path.
 */
const GO_STD_ROOTS = new Set([
  'archive', 'bufio', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database', 'debug',
  'embed', 'encoding', 'errors', 'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image', 'index',
  'internal', 'io', 'iter', 'log', 'maps', 'math', 'mime', 'net', 'os', 'path', 'plugin', 'reflect',
  'regexp', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'structs', 'sync', 'syscall', 'testing',
  'text', 'time', 'unicode', 'unique', 'unsafe', 'vendor', 'weak',
]);

/**
 * Go: the module cache (`pkg/mod/`, or any `module@vX.Y.Z` directory as `-trimpath` prints it),
 * vendored modules, and GOROOT (Debian's `/usr/lib/go-1.19/src`, `/usr/local/go/src`, Homebrew's
 * `libexec/src`, `sdk/go1.22.1/src`, Windows `Go\src`). A GOPATH `…/go/src/github.com/…` holds app
 * code, so a `go/src/` directory counts as GOROOT only when the package below it has no dot.
 */
export function isGoLibraryFile(path: string): boolean {
  const slashed = path.replace(/\\/g, '/');
  if (/(?:^|\/)pkg\/mod\//.test(slashed) || /@v\d/.test(slashed) || /(?:^|\/)vendor\//.test(slashed)) return true;
  if (/\/(?:lib\/go(?:-[\d.]+)?|libexec|sdk\/go[\d.]+|[Gg]o(?:root)?)\/src\/[^/.]+\//.test(slashed)) return true;
  const relativeRoot = /^([^/:]+)\//.exec(slashed);
  return relativeRoot !== null && GO_STD_ROOTS.has(relativeRoot[1]);
}

/**
 * Ruby: installed gems (`…/gems/rack-3.0.8/…`, `vendor/bundle`, bundler git checkouts under
 * `bundler/gems/`), the standard library of any install (`/usr/lib/ruby/3.1.0/`,
 * `~/.rbenv/versions/3.3.0/lib/ruby/3.3.0/`) and the interpreter's `<internal:…>` files.
 */
export function isRubyLibraryFile(path: string): boolean {
  const slashed = path.replace(/\\/g, '/');
  return (
    /\/gems\/[^/]+-\d[^/]*\//.test(slashed) ||
    slashed.includes('/bundler/gems/') ||
    /\/ruby\/(?:\d+\.\d+\.\d+|vendor_ruby|site_ruby)\//.test(slashed) ||
    slashed.startsWith('<internal:')
  );
}

const DOTNET_LIBRARY_PREFIXES = [
  'System.', 'Microsoft.', 'Windows.', 'Mono.', 'Newtonsoft.', 'Npgsql.', 'MySqlConnector.', 'Dapper.',
  'Polly.', 'Grpc.', 'Google.Protobuf.', 'Serilog.', 'NLog.', 'StackExchange.Redis.', 'MediatR.',
  'Castle.', 'Autofac.', 'AutoMapper.', 'FluentValidation.', 'Hangfire.', 'MassTransit.', 'Confluent.Kafka.',
  'Datadog.Trace.', 'OpenTelemetry.', 'Xunit.', 'NUnit.', 'Moq.',
];

/**
 * .NET: the runtime and framework namespaces and well-known packages, by type name; dynamic methods
 * compiled at run time (`lambda_method12`, no namespace) are framework plumbing too.
 */
export function isDotnetLibraryType(typeName: string): boolean {
  return typeName === 'System' || DOTNET_LIBRARY_PREFIXES.some((prefix) => typeName.startsWith(prefix)) || /^lambda_method\d*$/.test(typeName);
}

/** PHP: Composer's `vendor/` directory; built-in functions have no file (`[internal function]`). */
export function isPhpLibraryFile(path: string): boolean {
  return /(?:^|[/\\])vendor[/\\]/.test(path);
}
