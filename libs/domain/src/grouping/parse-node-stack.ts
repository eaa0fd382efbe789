import { StackFrame } from '@faultline/contracts';
import { isNodeLibraryFile } from './in-app';
import { normaliseNodeFile } from './file-name';
import { ParsedChain, ParsedException } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, splitExceptionHeader, stackLines } from './stack-text';

/**
 * V8 `Error.stack` (Node.js, and Chromium with the same format). V8 already prints innermost first.
 *   at fn (location)            at async fn (location)         at new Ctor (location)
 *   at Obj.fn [as alias] (loc)  at location                    at eval (eval at fn (file:1:2), <anonymous>:1:1)
 * where location is `file:line:col`, `file:line`, `<anonymous>`, `native` or `index N` (Promise.all).
 */
const FRAME_LINE = /^\s*at (?:(.+?) \((.*)\)|(.+))$/;
/** util.inspect prints an error's cause below its frames; everything after it belongs to the cause. */
const CAUSE_LINE = /^\s*\[cause\]: (.*)$/;

export function parseNodeStack(stack: string): ParsedChain {
  const chain: ParsedException[] = [];
  let current: ParsedException | null = null;
  for (const rawLine of stackLines(stack)) {
    // util.inspect opens the error's own properties (`{ [cause]: … }`) at the end of its last frame.
    const line = rawLine.endsWith('{') ? rawLine.replace(/\s*\{$/, '') : rawLine;
    const frameMatch = FRAME_LINE.exec(line);
    if (frameMatch) {
      current ??= startException(chain, '');
      if (current.frames.length < MAX_FRAMES_PER_EXCEPTION) current.frames.push(toFrame(frameMatch));
      continue;
    }
    const causeMatch = CAUSE_LINE.exec(line);
    if (causeMatch) current = startException(chain, causeMatch[1]);
    else if (!current && line.trim()) current = startException(chain, line);
  }
  return chain;
}

/** Whether a line looks like a V8 frame, for language detection. */
export function isNodeFrameLine(line: string): boolean {
  return FRAME_LINE.test(line) && /:\d+:\d+\)?\s*$|\((?:<anonymous>|native|index \d+)\)\s*$/.test(line);
}

function startException(chain: ParsedException[], header: string): ParsedException {
  const exception: ParsedException = { ...splitExceptionHeader(header), frames: [] };
  chain.push(exception);
  return exception;
}

function toFrame(match: RegExpExecArray): StackFrame {
  const [, rawFunction, parenthesisedLocation, bareLocation] = match;
  let functionName = rawFunction ?? null;
  let location = parenthesisedLocation ?? bareLocation;
  if (functionName === null && location.startsWith('async ')) location = location.slice('async '.length);
  if (functionName !== null) functionName = cleanFunctionName(functionName);
  const { path, line, column } = splitLocation(location);
  return {
    function: functionName,
    file: path === null ? null : normaliseNodeFile(path),
    module: null,
    line,
    column,
    // A frame without a file is V8 builtin code (`Array.forEach (<anonymous>)`, `new Promise (<anonymous>)`).
    inApp: path !== null && !isNodeLibraryFile(path),
  };
}

/**
 * `async ` only says the frame was resumed after an await, and `[as alias]` names the property the
 * function was called through: neither changes which code ran, so both are dropped to keep one
 * function one name.
 */
function cleanFunctionName(name: string): string {
  return name.replace(/^async /, '').replace(/ \[as [^\]]*\]$/, '');
}

function splitLocation(location: string): { path: string | null; line: number | null; column: number | null } {
  // eval'd code: attribute it to the file that called eval.
  const evalOrigin = /^eval at .*?\(([^()]+:\d+:\d+)\)/.exec(location);
  if (evalOrigin) return splitLocation(evalOrigin[1]);
  const withColumn = /^(.*):(\d+):(\d+)$/.exec(location);
  if (withColumn) return { path: withColumn[1], line: Number(withColumn[2]), column: Number(withColumn[3]) };
  const withLine = /^(.*):(\d+)$/.exec(location);
  if (withLine) return { path: withLine[1], line: Number(withLine[2]), column: null };
  if (location === '<anonymous>' || location === 'native' || /^index \d+$/.test(location) || location === 'unknown location') {
    return { path: null, line: null, column: null };
  }
  return { path: location, line: null, column: null };
}
