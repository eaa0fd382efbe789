import { StackFrame } from '@faultline/contracts';
import { isGoLibraryFile } from './in-app';
import { normaliseGoFile } from './file-name';
import { ParsedChain } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, stackLines } from './stack-text';

/**
 * A Go panic as the runtime prints it (and the two-line frames of `runtime/debug.Stack()` and
 * dd-trace-go, which have no header, arguments or `+0x` offsets):
 *
 *   panic: runtime error: index out of range [5] with length 3      <- or `fatal error: …`
 *   [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=…]   <- skipped
 *
 *   goroutine 6 [running]:
 *   main.(*Server).handle(0xc000012028, {0x49d539, 0x13}, 0x0?)       <- `(...)` when inlined
 *   	/srv/app/main.go:14 +0x155
 *   example.com/minirouter.(*Router).Dispatch(...)
 *   	/root/go/pkg/mod/example.com/minirouter@v1.4.0/router.go:23 +0x65
 *   created by main.main                                               <- ` in goroutine 1` since Go 1.21
 *   	/srv/app/main.go:29 +0x16a
 *
 *   goroutine 7 [chan receive]:                                        <- GOTRACEBACK=all: other goroutines
 *
 * Frames are already innermost first. Only the first goroutine is kept: it is the one that panicked;
 * the others are bystanders, not causes. `created by` becomes the outermost frame. `module` is the
 * function's package path, `function` the rest of its name (`(*Server).handle`), without arguments.
 * The chain has one exception: Go prints no type, and nested panics (`panic: a [recovered]` then
 * `panic: b`) share one stack, so the message is the last panic value printed.
 */
const PANIC_HEADER = /^(?:\s*panic: |fatal error: )(.*?)(?: \[recovered(?:, repanicked)?\])?$/;
const GOROUTINE_HEADER = /^goroutine \d+ \[[^\]]*\]:$/;
/** The location line under a function: tab, path, line, optional offset into the function. */
const LOCATION_LINE = /^\s+(\S.*?\.(?:go|s)):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;

export function parseGoStack(stack: string): ParsedChain {
  let message: string | null = null;
  const frames: StackFrame[] = [];
  let pendingFunction: string | null = null;
  let goroutines = 0;
  for (const line of stackLines(stack)) {
    const panic = PANIC_HEADER.exec(line);
    if (panic && goroutines === 0) {
      message = panic[1];
      continue;
    }
    if (GOROUTINE_HEADER.test(line)) {
      goroutines += 1;
      if (goroutines > 1) break;
      continue;
    }
    const location = LOCATION_LINE.exec(line);
    if (location && pendingFunction !== null) {
      if (frames.length < MAX_FRAMES_PER_EXCEPTION) frames.push(toFrame(pendingFunction, location[1], Number(location[2])));
      pendingFunction = null;
      continue;
    }
    pendingFunction = /^[^\s[.]/.test(line) ? functionOf(line) : null;
  }
  if (message === null && frames.length === 0) return [];
  return [{ type: null, message, frames }];
}

/** Goroutine headers and tab-indented `file.go:N` lines are Go's alone. */
export function isGoStackLine(line: string): boolean {
  return GOROUTINE_HEADER.test(line) || (line.startsWith('\t') && LOCATION_LINE.test(line));
}

function toFrame(qualifiedFunction: string, path: string, line: number): StackFrame {
  const { packagePath, functionName } = splitGoFunction(qualifiedFunction);
  return {
    function: functionName,
    file: normaliseGoFile(path),
    module: packagePath,
    line,
    column: null,
    inApp: !isGoLibraryFile(path),
  };
}

/** `created by main.main in goroutine 1` -> `main.main`; `main.(*S).f(0xc0, {0x1, 0x2})` -> `main.(*S).f`. */
function functionOf(line: string): string {
  let name = line.trim().replace(/^created by /, '').replace(/ in goroutine \d+$/, '');
  if (name.endsWith(')')) {
    // The argument list is the last balanced parenthesis; the name itself may hold `(*Server)`.
    let depth = 0;
    for (let index = name.length - 1; index >= 0; index -= 1) {
      if (name[index] === ')') depth += 1;
      else if (name[index] === '(' && --depth === 0) {
        name = name.slice(0, index);
        break;
      }
    }
  }
  return name;
}

/**
 * `example.com/minirouter.(*Router).Dispatch` -> package `example.com/minirouter`, function
 * `(*Router).Dispatch`: the package ends at the first dot after the last slash (the linker escapes
 * dots in that element, `gopkg.in/yaml%2ev3`). Builtins printed without a package (`panic`) get none.
 */
export function splitGoFunction(qualified: string): { packagePath: string | null; functionName: string } {
  const nameStart = qualified.search(/[([]/);
  const lastSlash = qualified.lastIndexOf('/', nameStart === -1 ? qualified.length : nameStart);
  const dot = qualified.indexOf('.', lastSlash + 1);
  if (dot === -1) return { packagePath: null, functionName: qualified };
  return { packagePath: qualified.slice(0, dot).replace(/%2e/gi, '.'), functionName: qualified.slice(dot + 1) };
}
