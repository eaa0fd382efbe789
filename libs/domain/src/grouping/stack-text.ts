/**
 * Bounds on the stack text a parser looks at, so one pathological span (a 5 MB stack, a million
 * lines) costs the fingerprinter no more than an ordinary one. Real stacks are far below these.
 */
export const MAX_STACK_CHARS = 256 * 1024;
export const MAX_STACK_LINES = 4000;
/** Frames kept per exception; the rest of a deep stack adds nothing to grouping or display. */
export const MAX_FRAMES_PER_EXCEPTION = 256;

export function stackLines(stack: string): string[] {
  const text = stack.slice(0, MAX_STACK_CHARS);
  // Splitting on a string is much cheaper than on a regex, and most stacks have no `\r`.
  return text.includes('\r') ? text.split(/\r?\n/, MAX_STACK_LINES) : text.split('\n', MAX_STACK_LINES);
}

/** Splits `Type: message` header lines; null type when the line does not start with a type name. */
export function splitExceptionHeader(line: string): { type: string | null; message: string | null } {
  const match = /^([A-Za-z_$][\w$.]*)(?::\s?(.*))?$/.exec(line.trim());
  if (!match) return { type: null, message: line.trim() || null };
  return { type: match[1], message: match[2] ?? null };
}
