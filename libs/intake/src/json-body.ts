import { isInteger, parse } from 'lossless-json';
import { IntakeError } from './intake-error';
import { DEFAULT_INTAKE_LIMITS } from './intake-limits';

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Integers stay exact as bigint (ids and nanosecond timestamps exceed 2^53); other numbers are doubles. */
function parseJsonNumber(text: string): bigint | number {
  return isInteger(text) ? BigInt(text) : Number(text);
}

/**
 * Parses a JSON request body without losing 64-bit integers; malformed JSON is a 400 naming the body.
 * Invalid UTF-8 becomes U+FFFD (as the Datadog agent does), so one bad byte in a tag does not cost the
 * payload. Nesting deeper than `maxNestingDepth` is a 400 found by a scan before parsing: the parser
 * recurses, and a few MB of `[` would otherwise end in a stack overflow.
 */
export function decodeJsonBody(body: Buffer, maxNestingDepth: number = DEFAULT_INTAKE_LIMITS.maxNestingDepth): unknown {
  checkJsonDepth(body, maxNestingDepth);
  try {
    return parse(body.toString('utf8'), null, parseJsonNumber);
  } catch (error) {
    throw new IntakeError(400, `body: invalid JSON: ${(error as Error).message}`);
  }
}

/** Brackets outside strings, counted in the bytes; malformed JSON is left for the parser to name. */
function checkJsonDepth(body: Buffer, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index++) {
    const byte = body[index];
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) throw new IntakeError(400, `body: JSON nested deeper than ${maxDepth} levels (at byte ${index})`);
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
}
