import { Decoder } from '@msgpack/msgpack';
import { IntakeError } from '../intake-error';
import { type MsgpackScan, scanMsgpack } from './msgpack-scan';

// useBigInt64: uint64/int64 values (ids, start) become bigint instead of rounded numbers.
const msgpackDecoder = new Decoder({ useBigInt64: true });

/**
 * A msgpack decoder for the v0.5 API, whose maps are keyed by uint32 string indexes. The decoder
 * makes every map key a property name, so the integer key 4 and the string key "4" would look the
 * same; string keys get STRING_KEY_MARK in front so the validator can tell them apart and reject them.
 */
export const STRING_KEY_MARK = '\u0000';
export const indexKeyedMsgpackDecoder = new Decoder({
  useBigInt64: true,
  mapKeyConverter: (key) => {
    if (typeof key === 'string') return `${STRING_KEY_MARK}${key}`;
    if (typeof key === 'number') return key;
    // As the default converter does for bigint, binary or nested keys.
    throw new Error(`map key of type ${typeof key}: expected uint32 string index`);
  },
});

/** The media type of a Content-Type header, lower case and without parameters (`''` when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
}

/**
 * Decodes a msgpack request body; IntakeError 400 when it is not valid (e.g. truncated) msgpack or
 * nests deeper than `maxDepth`. `beforeDecoding` sees the value counts first and may throw, so a
 * payload over a count limit is refused before it takes memory.
 */
export function decodeMsgpackBody(
  body: Buffer,
  maxDepth: number,
  beforeDecoding: (scan: MsgpackScan) => void = () => undefined,
  decoder: Decoder = msgpackDecoder,
): unknown {
  const scan = scanMsgpack(body, maxDepth);
  beforeDecoding(scan);
  try {
    return decoder.decode(scan.body);
  } catch (error) {
    throw new IntakeError(400, `body: invalid msgpack: ${(error as Error).message}`);
  }
}
