import { StackFrame } from '@faultline/contracts';
import { isJvmLibraryClass } from './in-app';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, splitExceptionHeader, stackLines } from './stack-text';

/**
 * `Throwable.printStackTrace()` output (what dd-trace-java records), innermost first already:
 *
 *   java.lang.IllegalStateException: could not charge order ORD-1
 *   	at java.base/java.lang.Iterable.forEach(Iterable.java:75)     <- module prefix, also `app//`
 *   	at com.shop.OrderService.lambda$total$0(OrderService.java:12)
 *   	at jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)
 *   	at com.shop.legacy.Pricing.discountFor(Unknown Source)
 *   	Suppressed: java.lang.IllegalStateException: ...            <- deeper-indented block: skipped
 *   		at ...
 *   Caused by: java.sql.SQLException: no row
 *   	at com.shop.OrderRepository.amountOf(OrderRepository.java:13)
 *   	... 9 more                                                   <- frames shared with the enclosing trace
 *
 * Each frame's `module` is the fully-qualified class, `function` is `SimpleClass.method`, `file` the
 * source file the JVM prints (already without directories).
 */
const FRAME_LINE = /^\s*at ([^\s(]+)\(([^)]*)\)/;
const CAUSED_BY_LINE = /^\s*Caused by: (.*)$/;
const SUPPRESSED_LINE = /^(\s*)Suppressed: /;
/** `java.base/`, `java.base@17.0.2/`, or a class loader name such as `app//`. */
const MODULE_PREFIX = /^[\w.-]*(?:@[\w.+-]+)?\/\/?/;

export function parseJvmStack(stack: string): ParsedChain {
  const chain: ParsedException[] = [];
  let current: ParsedException | null = null;
  let suppressedIndent: number | null = null;
  for (const line of stackLines(stack)) {
    const indent = line.length - line.trimStart().length;
    const suppressed = SUPPRESSED_LINE.exec(line);
    if (suppressed) {
      suppressedIndent = suppressed[1].length;
      continue;
    }
    if (suppressedIndent !== null) {
      if (indent > suppressedIndent) continue;
      suppressedIndent = null;
    }
    const frameMatch = FRAME_LINE.exec(line);
    if (frameMatch) {
      current ??= startException(chain, '');
      if (current.frames.length < MAX_FRAMES_PER_EXCEPTION) current.frames.push(toFrame(frameMatch));
      continue;
    }
    const causedBy = CAUSED_BY_LINE.exec(line);
    if (causedBy) current = startException(chain, causedBy[1]);
    else if (!current && line.trim()) current = startException(chain, line);
  }
  return chain;
}

/** A JVM frame has no space before its parenthesis, unlike V8's `at fn (file:1:2)`. */
export function isJvmFrameLine(line: string): boolean {
  const match = FRAME_LINE.exec(line);
  return match !== null && /^(?:Native Method|(?:Unknown Source|[^:]+\.\w+)(?::\d+)?)$/.test(match[2]);
}

function startException(chain: ParsedException[], header: string): ParsedException {
  const exception: ParsedException = { ...splitExceptionHeader(header), frames: [] };
  chain.push(exception);
  return exception;
}

function toFrame(match: RegExpExecArray): StackFrame {
  const [, qualified, location] = match;
  const withoutModule = qualified.replace(MODULE_PREFIX, '');
  const lastDot = withoutModule.lastIndexOf('.');
  const className = normaliseGeneratedNames(lastDot === -1 ? withoutModule : withoutModule.slice(0, lastDot));
  const method = lastDot === -1 ? null : normaliseGeneratedNames(withoutModule.slice(lastDot + 1));
  const simpleClass = className.slice(className.lastIndexOf('.') + 1);
  // `File.java:12`, `File.java`, `Native Method`, `Unknown Source`, and Kotlin's `Unknown Source:4`.
  const source = /^(.+?)(?::(\d+))?$/.exec(location);
  const file = source === null || /^(?:Native Method|Unknown Source)$/.test(source[1]) ? null : source[1];
  return {
    function: method === null ? simpleClass : `${simpleClass}.${method}`,
    file,
    module: className,
    line: source?.[2] !== undefined ? Number(source[2]) : null,
    column: null,
    inApp: !isJvmLibraryClass(className) && !/^(?:java|jdk)\.[\w.]+\//.test(qualified),
  };
}

/**
 * Class and method names the compiler or a proxy library numbers per build or per run: keeping the
 * counter would split one issue on every deploy (or restart, for hidden lambda classes).
 */
function normaliseGeneratedNames(name: string): string {
  // Fast path: every generated name below carries a `$` or `Generated`; most frames have neither.
  if (!name.includes('$') && !name.includes('Generated')) return name;
  return name
    .replace(/\$\$Lambda(?:\$\d+)?(?:\/0x[0-9a-f]+)?/g, '$$$$Lambda')
    .replace(/^(lambda\$[\w$]+?)\$\d+$/, '$1')
    .replace(/\$\$(EnhancerBySpringCGLIB|FastClassBySpringCGLIB|SpringCGLIB)\$\$\w+/g, '$$$$$1')
    .replace(/\$ByteBuddy\$\w+/g, '$$ByteBuddy')
    .replace(/_\$\$_javassist_\d+/g, '_$$$$_javassist')
    .replace(/(Generated(?:Serialization)?(?:Method|Constructor)Accessor)\d+/g, '$1');
}
