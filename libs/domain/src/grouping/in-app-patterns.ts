import { InAppPatterns, StackFrame } from '@faultline/contracts';

/**
 * A tenant's in-app overrides (`InAppPatterns`), applied after the built-in classification of
 * `in-app.ts`: a frame any `exclude` glob matches is library code, else a frame any `include` glob
 * matches is app code, else the built-in flag stays. A glob matches when it matches the whole of the
 * frame's normalised file, its module or its function (any one of them).
 *
 * Globs: `*` is any run of characters (`/` and `.` included), `?` exactly one; every other character
 * is literal, so `Object.<anonymous>` or `src/[id].ts` need no escaping and cannot be an invalid
 * pattern. There is no escape for a literal `*` or `?`. Matching is case-sensitive.
 *
 * Matching is a two-pointer wildcard match (no RegExp): its cost is bounded by pattern length times
 * text length, so a tenant's pattern cannot make the shared fingerprinter backtrack exponentially.
 */
export function applyInAppPatterns(frames: readonly StackFrame[], patterns: InAppPatterns): StackFrame[] {
  const compiled = compileInAppPatterns(patterns);
  if (compiled === NO_PATTERNS) return frames as StackFrame[];
  let result: StackFrame[] | null = null;
  for (let index = 0; index < frames.length; index++) {
    const frame = frames[index];
    const inApp = compiled.exclude(frame) ? false : compiled.include(frame) ? true : frame.inApp;
    if (inApp === frame.inApp) continue;
    result ??= frames.slice();
    result[index] = { ...frame, inApp };
  }
  // Unchanged frames come back as the same array: callers may compare by identity, and nothing is copied.
  return result ?? (frames as StackFrame[]);
}

interface CompiledInAppPatterns {
  include: (frame: StackFrame) => boolean;
  exclude: (frame: StackFrame) => boolean;
}

const never = () => false;
const NO_PATTERNS: CompiledInAppPatterns = { include: never, exclude: never };

/**
 * Compiled once per patterns object: the fingerprinter keeps one config object per tenant for its
 * cache TTL, so every occurrence of a batch reuses the compiled form. Keyed weakly, so configs that
 * were replaced are collected with their compiled patterns.
 */
const compiledByPatterns = new WeakMap<InAppPatterns, CompiledInAppPatterns>();

function compileInAppPatterns(patterns: InAppPatterns): CompiledInAppPatterns {
  if (patterns.include.length === 0 && patterns.exclude.length === 0) return NO_PATTERNS;
  let compiled = compiledByPatterns.get(patterns);
  if (!compiled) {
    compiled = { include: compileFrameMatcher(patterns.include), exclude: compileFrameMatcher(patterns.exclude) };
    compiledByPatterns.set(patterns, compiled);
  }
  return compiled;
}

function compileFrameMatcher(globs: readonly string[]): (frame: StackFrame) => boolean {
  if (globs.length === 0) return never;
  const matches = compileGlobs(globs);
  return (frame) =>
    (frame.file !== null && matches(frame.file)) ||
    (frame.module !== null && matches(frame.module)) ||
    (frame.function !== null && matches(frame.function));
}

/** One predicate for a list of globs: wildcard-free globs become one set lookup, the rest are tried in turn. */
function compileGlobs(globs: readonly string[]): (text: string) => boolean {
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const glob of globs) {
    if (/[*?]/.test(glob)) wildcards.push(glob.replace(/\*{2,}/g, '*'));
    else exact.add(glob);
  }
  return (text) => exact.has(text) || wildcards.some((glob) => globMatches(glob, text));
}

/**
 * Whole-text wildcard match. On a mismatch after a `*`, the star absorbs one more character and
 * matching resumes right after it; only the latest star needs revisiting, which bounds the work by
 * glob length times text length.
 */
export function globMatches(glob: string, text: string): boolean {
  let globIndex = 0;
  let textIndex = 0;
  let starGlobIndex = -1;
  let starTextIndex = 0;
  while (textIndex < text.length) {
    const token = globIndex < glob.length ? glob[globIndex] : undefined;
    if (token === '*') {
      starGlobIndex = globIndex++;
      starTextIndex = textIndex;
    } else if (token !== undefined && (token === '?' || token === text[textIndex])) {
      globIndex++;
      textIndex++;
    } else if (starGlobIndex >= 0) {
      globIndex = starGlobIndex + 1;
      textIndex = ++starTextIndex;
    } else {
      return false;
    }
  }
  while (glob[globIndex] === '*') globIndex++;
  return globIndex === glob.length;
}
