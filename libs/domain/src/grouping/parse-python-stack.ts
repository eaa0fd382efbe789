import { StackFrame } from '@faultline/contracts';
import { isPythonLibraryFile } from './in-app';
import { normalisePythonFile } from './file-name';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, splitExceptionHeader, stackLines } from './stack-text';

/**
 * CPython tracebacks (`traceback.format_exception`, what dd-trace-py and OpenTelemetry record):
 *
 *   Traceback (most recent call last):
 *     File "/srv/app/orders.py", line 13, in load_order
 *       return fetch_row(order_id)
 *              ^^^^^^^^^^^^^^^^^^^        <- source and caret lines, indented deeper: skipped
 *   KeyError: 'ord_13bb90'
 *
 *   The above exception was the direct cause of the following exception:   (or "During handling ...")
 *
 *   Traceback (most recent call last):
 *     ...
 *   OrderNotFound: order ord_13bb90 not found
 *
 * Python prints outermost call first and the raised exception last, so both are reversed: frames
 * become innermost first and the chain starts with the exception that was actually raised.
 */
const TRACEBACK_HEADER = /^\s*Traceback \(most recent call last\):\s*$/;
const FRAME_LINE = /^\s*File "(.*)", line (\d+)(?:, in (.+))?\s*$/;

interface TracebackBlock {
  outermostFirst: StackFrame[];
  header: string | null;
}

export function parsePythonStack(stack: string): ParsedChain {
  const blocks: TracebackBlock[] = [];
  let current: TracebackBlock | null = null;
  for (const line of stackLines(stack)) {
    if (TRACEBACK_HEADER.test(line)) {
      current = { outermostFirst: [], header: null };
      blocks.push(current);
      continue;
    }
    const frameMatch = FRAME_LINE.exec(line);
    if (frameMatch) {
      // A bare `traceback.format_stack()` has frames without a header.
      if (!current || current.header !== null) {
        current = { outermostFirst: [], header: null };
        blocks.push(current);
      }
      current.outermostFirst.push(toFrame(frameMatch));
      continue;
    }
    // The first unindented line after a block's frames names the exception; later ones are the rest
    // of a multi-line message or the chaining sentence.
    if (current && current.header === null && current.outermostFirst.length > 0 && /^\S/.test(line)) {
      current.header = line;
    }
  }
  return blocks.reverse().map(toException);
}

export function isPythonTracebackLine(line: string): boolean {
  return TRACEBACK_HEADER.test(line) || FRAME_LINE.test(line);
}

function toException(block: TracebackBlock): ParsedException {
  // Keep the innermost frames when a traceback is deeper than the bound: they are where it failed.
  const innermostFirst = block.outermostFirst.slice(-MAX_FRAMES_PER_EXCEPTION).reverse();
  return { ...splitExceptionHeader(block.header ?? ''), frames: innermostFirst };
}

function toFrame(match: RegExpExecArray): StackFrame {
  const [, path, line, functionName] = match;
  const { file, module } = normalisePythonFile(path);
  return {
    function: functionName ?? null,
    file,
    module,
    line: Number(line),
    column: null,
    inApp: !isPythonLibraryFile(path),
  };
}
