import { StackFrame } from '@faultline/contracts';
import { isDotnetLibraryType } from './in-app';
import { baseName } from './file-name';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, splitExceptionHeader, stackLines } from './stack-text';

/**
 * .NET `Exception.ToString()` (what dd-trace-dotnet and OpenTelemetry .NET record):
 *
 *   System.InvalidOperationException: Order ord_1 could not be loaded
 *    ---> System.Collections.Generic.KeyNotFoundException: The given key 'ord_1' was not present…
 *      at System.Collections.Generic.Dictionary`2.get_Item(TKey key)
 *      at Shop.Orders.OrderRepository.Find(String id) in /src/Shop.Orders/OrderRepository.cs:line 21
 *      --- End of inner exception stack trace ---
 *      at Shop.Orders.OrderService.LoadAsync(String id) in /src/Shop.Orders/OrderService.cs:line 39
 *   --- End of stack trace from previous location ---                  <- an await boundary: skipped
 *      at Shop.Api.OrdersController.<Get>d__2.MoveNext() in C:\src\OrdersController.cs:line 27
 *
 * Headers come outermost first (.NET Framework puts ` ---> ` on the same line), then the frame
 * sections innermost exception first, separated by `--- End of inner exception stack trace ---`.
 * The chain starts with the outermost exception, the one that was thrown to the span. `module` is
 * the declaring type, `function` `Type.Method`, as for the JVM; compiler-generated names are
 * reduced to the source method (`<LoadAsync>d__4.MoveNext` -> `LoadAsync`) and their build-specific
 * counters dropped, so a rebuild does not split issues.
 */
const FRAME_LINE = /^\s*at (.+)$/;
/** ` in <path>:line <N>` after the argument list (which never holds parentheses), read without backtracking. */
const LINE_SUFFIX = /:line (\d+)\s*$/;
const INNER_PREFIX = /^\s*---> /;
const END_OF_INNER = /^\s*--- End of inner exception stack trace ---\s*$/;
const PREVIOUS_LOCATION = /^\s*--- End of stack trace from previous location(?: where exception was thrown)? ---\s*$/;
/** AggregateException repeats each inner exception after its own trace; the first is already in the chain. */
const AGGREGATE_INNER = /^\s*---> \(Inner Exception #\d+\)/;

export function parseDotnetStack(stack: string): ParsedChain {
  const chain: ParsedException[] = [];
  let section = -1;
  for (const line of stackLines(stack)) {
    if (AGGREGATE_INNER.test(line)) break;
    const frame = FRAME_LINE.exec(line);
    const location = frame ? splitFrameText(frame[1]) : null;
    if (location) {
      if (section === -1) {
        if (chain.length === 0) chain.push({ type: null, message: null, frames: [] });
        section = chain.length - 1;
      }
      const frames = chain[section].frames;
      if (frames.length < MAX_FRAMES_PER_EXCEPTION) frames.push(toFrame(location.signature, location.path, location.line));
      continue;
    }
    if (END_OF_INNER.test(line)) {
      section = Math.max(section - 1, 0);
      continue;
    }
    if (PREVIOUS_LOCATION.test(line) || !line.trim()) continue;
    // Header lines: the first one, and every ` ---> ` before the first frame.
    if (section === -1 && (chain.length === 0 || INNER_PREFIX.test(line))) {
      const headers = line.replace(INNER_PREFIX, '').split(' ---> ', MAX_FRAMES_PER_EXCEPTION);
      for (const header of headers) chain.push({ ...splitExceptionHeader(header), frames: [] });
    }
  }
  return chain;
}

/** `at X.Y(args)`, with or without ` in path:line N`; JVM and V8 frames are told apart before this. */
export function isDotnetStackLine(line: string): boolean {
  if (PREVIOUS_LOCATION.test(line)) return true;
  const name = /^\s*at [\w.`<>|+,[\]]+\(/.exec(line);
  if (!name) return false;
  const parts = splitFrameText(line.slice(name[0].length - 1));
  return parts !== null && (parts.path !== undefined || parts.rest.trim() === '');
}

/** `X.Y(String id) in /src/a.cs:line 3` -> signature, path, line; null when there is no argument list. */
function splitFrameText(text: string): { signature: string; path: string | undefined; line: string | undefined; rest: string } | null {
  const close = text.indexOf(')');
  if (close === -1 || text.indexOf('(') > close) return null;
  const signature = text.slice(0, close + 1);
  const rest = text.slice(close + 1);
  const lineSuffix = LINE_SUFFIX.exec(rest);
  if (!rest.startsWith(' in ') || !lineSuffix) return { signature, path: undefined, line: undefined, rest };
  return { signature, path: rest.slice(' in '.length, lineSuffix.index), line: lineSuffix[1], rest };
}

function toFrame(signature: string, path: string | undefined, line: string | undefined): StackFrame {
  const qualified = normaliseGeneratedNames(signature.slice(0, signature.indexOf('(')));
  // `.ctor` and `.cctor` start with the dot that separates them from their type.
  const split = /^(.*?)\.(\.c?ctor|[^.]+)$/.exec(qualified);
  const typeName = split ? split[1] : null;
  const method = split ? split[2] : qualified;
  const simpleType = typeName?.slice(typeName.lastIndexOf('.') + 1);
  return {
    function: simpleType ? `${simpleType}.${method}` : method,
    file: path === undefined ? null : baseName(path.replace(/\\/g, '/')),
    module: typeName,
    line: line === undefined ? null : Number(line),
    column: null,
    inApp: !isDotnetLibraryType(typeName ?? qualified),
  };
}

/**
 * Names the C# compiler generates, with counters that change whenever methods are added to a type:
 *   Ns.Type.<LoadAsync>d__4.MoveNext     async/iterator state machine -> Ns.Type.LoadAsync
 *   Ns.Type.<>c__DisplayClass3_0.<Get>b__0   closure class and lambda   -> Ns.Type.<>c__DisplayClass.<Get>b__
 *   Ns.Type.<Get>g__Local|3_0            local function                 -> Ns.Type.<Get>g__Local
 *   lambda_method12                      expression compiled at run time -> lambda_method
 */
export function normaliseGeneratedNames(qualified: string): string {
  if (!qualified.includes('<') && !qualified.startsWith('lambda_method')) return qualified;
  return qualified
    .replace(/\.<([^>]+)>d__\d+(?:`\d+)?\.MoveNext$/, '.$1')
    .replace(/<>c__DisplayClass\d+(?:_\d+)?/g, '<>c__DisplayClass')
    .replace(/>b__\d+(?:_\d+)?/g, '>b__')
    .replace(/(>g__[\w]+)\|\d+(?:_\d+)?/g, '$1')
    .replace(/^lambda_method\d+$/, 'lambda_method');
}
