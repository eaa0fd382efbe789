import { isInteger, parse } from 'lossless-json';
import { IntakeError } from './intake-error';

/** Integers stay exact as bigint (ids and nanosecond timestamps exceed 2^53); other numbers are doubles. */
function parseJsonNumber(text: string): bigint | number {
  return isInteger(text) ? BigInt(text) : Number(text);
}

/** Parses a JSON request body without losing 64-bit integers; malformed JSON is a 400 naming the body. */
export function decodeJsonBody(body: Buffer): unknown {
  try {
    return parse(body.toString('utf8'), null, parseJsonNumber);
  } catch (error) {
    throw new IntakeError(400, `body: invalid JSON: ${(error as Error).message}`);
  }
}
