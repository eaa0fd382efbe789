import { ParsedChain } from './parsed-stack';
import { MAX_FRAMES_PER_EXCEPTION, splitExceptionHeader, stackLines } from './stack-text';

/** Longest line kept as a frame's function; the rest of a giant line adds nothing to grouping. */
const MAX_FRAME_TEXT = 300;

/**
 * For formats no parser understands yet: every non-empty line after the header becomes a frame whose
 * function is the trimmed line. Never returns zero frames for a non-empty stack (a one-line stack is
 * its own frame), so grouping always has something to work with. Lines keep their line numbers and
 * paths for display; the fingerprint strips directories and parameterises each line (see `groupingInputs`).
 */
export function parseGenericStack(stack: string): ParsedChain {
  const lines = stackLines(stack)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) return [];
  const [header, ...rest] = lines;
  const frameLines = rest.length > 0 ? rest : [header];
  return [
    {
      ...splitExceptionHeader(header),
      frames: frameLines.slice(0, MAX_FRAMES_PER_EXCEPTION).map((line) => ({
        function: line.slice(0, MAX_FRAME_TEXT),
        file: null,
        module: null,
        line: null,
        column: null,
        // Nothing tells library from app code here; treating all as in-app keeps every line in the fingerprint.
        inApp: true,
      })),
    },
  ];
}
