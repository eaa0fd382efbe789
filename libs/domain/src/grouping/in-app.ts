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
