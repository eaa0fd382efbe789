import { StackFrame } from '@faultline/contracts';
import { ParsedChain, ParsedException, StackLanguage } from './parsed-stack';
import { isJvmFrameLine, parseJvmStack } from './parse-jvm-stack';
import { isNodeFrameLine, parseNodeStack } from './parse-node-stack';
import { isPythonTracebackLine, parsePythonStack } from './parse-python-stack';
import { isGoStackLine, parseGoStack } from './parse-go-stack';
import { isRubyStackLine, parseRubyStack } from './parse-ruby-stack';
import { isDotnetStackLine, parseDotnetStack } from './parse-dotnet-stack';
import { isPhpStackLine, parsePhpStack } from './parse-php-stack';
import { parseGenericStack } from './parse-generic-stack';

export interface ParsedStack {
  language: StackLanguage;
  /** Frames of the exception the span reports, innermost (where it was raised) first. */
  frames: StackFrame[];
  /** That exception first, then its causes; see `ParsedChain`. */
  exceptions: ParsedException[];
}

/** Detection looks at the first lines only: the format is evident well before line 200. */
const DETECTION_LINES = 200;

const PARSERS: Record<Exclude<StackLanguage, 'generic'>, (stack: string) => ParsedChain> = {
  node: parseNodeStack,
  python: parsePythonStack,
  java: parseJvmStack,
  go: parseGoStack,
  ruby: parseRubyStack,
  dotnet: parseDotnetStack,
  php: parsePhpStack,
};

/**
 * Parses a stack trace as its runtime printed it. Detection is by content (tracers do report a
 * language tag, but not every protocol carries it): the format with the most recognised lines wins.
 * When the chosen parser finds no frame, the generic line-based parser takes over, so a non-empty
 * stack never yields zero frames.
 */
export function parseStack(stack: string): ParsedStack {
  const language = detectStackLanguage(stack);
  if (language !== 'generic') {
    const exceptions = PARSERS[language](stack);
    if (exceptions.length > 0 && exceptions[0].frames.length > 0) return { language, frames: exceptions[0].frames, exceptions };
  }
  const exceptions = parseGenericStack(stack);
  return { language: 'generic', frames: exceptions[0]?.frames ?? [], exceptions };
}

export function detectStackLanguage(stack: string): StackLanguage {
  const counts = { node: 0, python: 0, java: 0, go: 0, ruby: 0, dotnet: 0, php: 0 };
  for (const line of stack.slice(0, 64 * 1024).split(/\r?\n/, DETECTION_LINES)) {
    if (isPythonTracebackLine(line)) counts.python += 1;
    else if (isJvmFrameLine(line)) counts.java += 1;
    else if (isNodeFrameLine(line)) counts.node += 1;
    // .NET after JVM and V8: its `at X.Y(String id)` is what neither of them accepts.
    else if (isDotnetStackLine(line)) counts.dotnet += 1;
    else if (isGoStackLine(line)) counts.go += 1;
    else if (isRubyStackLine(line)) counts.ruby += 1;
    else if (isPhpStackLine(line)) counts.php += 1;
  }
  const [best, bestCount] = Object.entries(counts).reduce((a, b) => (b[1] > a[1] ? b : a));
  return bestCount > 0 ? (best as StackLanguage) : 'generic';
}
