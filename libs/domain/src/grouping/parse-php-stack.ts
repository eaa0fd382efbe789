import { StackFrame } from '@faultline/contracts';
import { isPhpLibraryFile } from './in-app';
import { normalisePhpFile } from './file-name';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, stackLines } from './stack-text';

/**
 * PHP's `Throwable::__toString()` (in `PHP Fatal error:  Uncaught …` reports) and
 * `getTraceAsString()` (what dd-trace-php records, without the header):
 *
 *   PHP Fatal error:  Uncaught Shop\OrderNotFound: Order ord_1 not found in /srv/src/OrderRepository.php:16
 *   Stack trace:
 *   #0 /srv/src/OrderService.php(13): Shop\OrderRepository->find('ord_1')
 *   #1 [internal function]: {closure}(Array)
 *   #2 /srv/vendor/minirouter/router/src/Router.php(17): call_user_func(Object(Closure), Array)
 *   #3 {main}
 *     thrown in /srv/src/OrderRepository.php on line 16
 *
 * A `#N` line names the function *called* at that location, so frames are shifted to pair each
 * function with where it was executing: the innermost is the first call at the header's location, the
 * next the second call at the first one's location, and so on down to `{main}`. A callee invoked from
 * `[internal function]` was called by a built-in, whose frame has no file. Previous exceptions are
 * printed first and the thrown one last after `Next `, so the chain is reversed to start with it.
 * `module` is the class of a method, `function` `Class->method` or `Class::method`, without arguments.
 */
const HEADER_START = /^(?:(?:PHP )?(?:Fatal error|Warning): +Uncaught |Next )?([A-Za-z_\\][\w\\]*)(?=: | in )/;
const TRACE_LINE = /^#\d+ (?:(.+?)\((\d+)\)|\[internal function\]): (.+)$/;
const MAIN_LINE = /^#\d+ \{main\}\s*$/;

interface TraceEntry {
  /** Where the call was made; null for a call made by a built-in. */
  path: string | null;
  line: number | null;
  call: string;
}

interface Block {
  header: { type: string; message: string | null; path: string; line: number } | null;
  entries: TraceEntry[];
  reachedMain: boolean;
}

export function parsePhpStack(stack: string): ParsedChain {
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const rawLine of stackLines(stack)) {
    const line = rawLine.trim();
    const header = line.startsWith('#') ? null : splitHeader(line);
    if (header) {
      current = { header, entries: [], reachedMain: false };
      blocks.push(current);
      continue;
    }
    const entry = TRACE_LINE.exec(line);
    const main = MAIN_LINE.test(line);
    if (!entry && !main) continue;
    if (!current || current.reachedMain) {
      current = { header: null, entries: [], reachedMain: false };
      blocks.push(current);
    }
    if (main) current.reachedMain = true;
    else if (current.entries.length < MAX_FRAMES_PER_EXCEPTION) {
      current.entries.push({ path: entry?.[1] ?? null, line: entry?.[2] ? Number(entry[2]) : null, call: entry?.[3] ?? '' });
    }
  }
  return blocks.reverse().map(toException);
}

/**
 * `[PHP Fatal error:  Uncaught |Next ]Type[: message] in path:line`. The location is after the last
 * ` in ` (a message may say " in ", a path rarely does); string search keeps this linear.
 */
function splitHeader(line: string): Block['header'] {
  const start = HEADER_START.exec(line);
  if (!start) return null;
  const locationAt = line.lastIndexOf(' in ');
  const location = /^(.+):(\d+)$/.exec(line.slice(locationAt + ' in '.length));
  if (locationAt < start[0].length || !location) return null;
  const message = locationAt > start[0].length ? line.slice(start[0].length + ': '.length, locationAt) : null;
  return { type: start[1], message, path: location[1], line: Number(location[2]) };
}

/** `#N path(line): call`, `#N [internal function]: call`, `#N {main}`. */
export function isPhpStackLine(line: string): boolean {
  return TRACE_LINE.test(line.trim()) || MAIN_LINE.test(line.trim());
}

function toException(block: Block): ParsedException {
  const { header, entries } = block;
  const frames: StackFrame[] = [];
  // The header names where the throw happened. When it equals the first call's location, the throw
  // happened inside that call, a built-in (`intdiv()`), which has no file of its own.
  const thrownInsideBuiltin = header !== null && entries[0]?.path === header.path && entries[0]?.line === header.line;
  entries.forEach((entry, index) => {
    const caller = index === 0 ? null : entries[index - 1];
    if (index === 0) {
      if (header && !thrownInsideBuiltin) frames.push(toFrame(entry.call, header.path, header.line, true));
      // Without a header nothing tells where the innermost call was executing; keep it in-app.
      else frames.push(toFrame(entry.call, null, null, !thrownInsideBuiltin));
    } else {
      frames.push(toFrame(entry.call, caller?.path ?? null, caller?.line ?? null, false));
    }
  });
  if (block.reachedMain) {
    const last = entries[entries.length - 1];
    frames.push(toFrame('{main}', last?.path ?? header?.path ?? null, last?.line ?? header?.line ?? null, false));
  }
  return { type: header?.type ?? null, message: header?.message ?? null, frames: frames.slice(0, MAX_FRAMES_PER_EXCEPTION) };
}

/** `fileLessInApp`: whether a frame without a file is app code (only when nothing says otherwise). */
function toFrame(call: string, path: string | null, line: number | null, fileLessInApp: boolean): StackFrame {
  const name = normaliseClosure(call.includes('(') ? call.slice(0, call.indexOf('(')) : call);
  const method = /^(.+?)(->|::)(.+)$/.exec(name);
  const className = method ? method[1] : null;
  const simpleClass = className?.slice(className.lastIndexOf('\\') + 1);
  return {
    function: method ? `${simpleClass}${method[2]}${method[3]}` : name,
    file: path === null ? null : normalisePhpFile(path),
    module: className,
    line,
    column: null,
    inApp: path === null ? fileLessInApp : !isPhpLibraryFile(path),
  };
}

/** PHP 8.4 names closures after their definition site (`{closure:/srv/index.php:18}`): a line number. */
function normaliseClosure(name: string): string {
  return name.replace(/\{closure:[^}]*\}/g, '{closure}');
}
