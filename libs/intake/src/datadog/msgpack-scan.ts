import { isUtf8 } from 'node:buffer';
import { IntakeError } from '../intake-error';

/** What a scan of a msgpack body found, before anything of it is decoded. */
export interface MsgpackScan {
  /** Values at each nesting level (0: the top value; the elements of a top array are at 1, ...); map keys and values both count. */
  valuesAtLevel: number[];
  /**
   * Declared element counts of the first two values inside the top array (a map's counting keys and
   * values, 0 for a scalar): for v0.5 `[strings, traces]`, the size of the string table and the number of traces.
   */
  firstLengthsAtLevel1: number[];
  /** The body with every invalid UTF-8 string repaired (U+FFFD), or the body itself when all were valid. */
  body: Uint8Array;
}

interface StringSpan {
  headerStart: number;
  dataStart: number;
  dataEnd: number;
}

/**
 * Walks the msgpack headers of `body` without decoding: linear in its length, allocating nothing per
 * value. It guards the decoder (@msgpack/msgpack), which is safe against length bombs (a declared
 * length larger than the body is "Insufficient data" before any allocation) but not against:
 * - depth: it keeps one state per open array or map, so 5 MB of `0x91` (a one-element array, 5M
 *   deep) takes ~900 MB of heap. Deeper than `maxDepth` is a 400 here;
 * - invalid UTF-8: its decoder for short strings does not check, and turns bytes into Latin-1
 *   characters or lone surrogates. Such strings are re-encoded with U+FFFD, as the Datadog agent
 *   repairs them (a Go tracer passes user tags through unchecked);
 * - counts: `valuesAtLevel` lets a caller refuse 10 million spans before they become objects.
 * A malformed or truncated body ends the scan quietly: the decoder then names the problem.
 */
export function scanMsgpack(body: Uint8Array, maxDepth: number): MsgpackScan {
  const valuesAtLevel: number[] = [];
  const firstLengthsAtLevel1: number[] = [];
  const invalidStrings: StringSpan[] = [];
  // Values still to read in each open array/map; the top level expects one value.
  const pending: number[] = [1];
  let pos = 0;
  while (pending.length > 0) {
    const level = pending.length - 1;
    if (pending[level] === 0) {
      pending.pop();
      continue;
    }
    if (pos >= body.length) break;
    pending[level]--;
    valuesAtLevel[level] = (valuesAtLevel[level] ?? 0) + 1;
    const headerStart = pos;
    const type = body[pos++];
    let children = 0;
    let skip = 0;
    let stringLength = -1;
    if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) {
      // fixint, nil, booleans: the header is the value.
    } else if (type <= 0x8f) children = (type & 0x0f) * 2;
    else if (type <= 0x9f) children = type & 0x0f;
    else if (type <= 0xbf) stringLength = type & 0x1f;
    else {
      const length = (bytes: number): number => readLength(body, pos, bytes);
      switch (type) {
        case 0xc4: skip = 1 + length(1); break; // bin 8/16/32
        case 0xc5: skip = 2 + length(2); break;
        case 0xc6: skip = 4 + length(4); break;
        case 0xc7: skip = 2 + length(1); break; // ext 8/16/32: length, type, data
        case 0xc8: skip = 3 + length(2); break;
        case 0xc9: skip = 5 + length(4); break;
        case 0xca: skip = 4; break; // float 32/64
        case 0xcb: skip = 8; break;
        case 0xcc: case 0xd0: skip = 1; break; // (u)int 8/16/32/64
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xce: case 0xd2: skip = 4; break;
        case 0xcf: case 0xd3: skip = 8; break;
        case 0xd4: skip = 2; break; // fixext 1/2/4/8/16, with their type byte
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xd9: stringLength = length(1); pos += 1; break; // str 8/16/32
        case 0xda: stringLength = length(2); pos += 2; break;
        case 0xdb: stringLength = length(4); pos += 4; break;
        case 0xdc: children = length(2); pos += 2; break; // array 16/32
        case 0xdd: children = length(4); pos += 4; break;
        case 0xde: children = length(2) * 2; pos += 2; break; // map 16/32
        case 0xdf: children = length(4) * 2; pos += 4; break;
        default: return { valuesAtLevel, firstLengthsAtLevel1, body }; // 0xc1 (never used): the decoder rejects it
      }
    }
    if (stringLength >= 0) {
      const dataEnd = pos + stringLength;
      if (dataEnd > body.length) break;
      if (!isUtf8(body.subarray(pos, dataEnd))) invalidStrings.push({ headerStart, dataStart: pos, dataEnd });
      pos = dataEnd;
    }
    pos += skip;
    if (level === 1 && firstLengthsAtLevel1.length < 2) firstLengthsAtLevel1.push(children);
    if (children > 0) {
      if (pending.length > maxDepth) {
        throw new IntakeError(400, `body: msgpack nested deeper than ${maxDepth} levels (at byte ${headerStart})`);
      }
      pending.push(children);
    }
  }
  return { valuesAtLevel, firstLengthsAtLevel1, body: invalidStrings.length === 0 ? body : repairStrings(body, invalidStrings) };
}

/** A big-endian length after the header byte at `pos`; 0 past the end (the decoder reports truncation). */
function readLength(body: Uint8Array, pos: number, bytes: number): number {
  if (pos + bytes > body.length) return 0;
  let length = 0;
  for (let index = 0; index < bytes; index++) length = length * 256 + body[pos + index];
  return length;
}

/** A copy of `body` whose listed strings are decoded with U+FFFD for bad sequences and re-encoded with a new header. */
function repairStrings(body: Uint8Array, strings: StringSpan[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let copiedTo = 0;
  for (const { headerStart, dataStart, dataEnd } of strings) {
    parts.push(body.subarray(copiedTo, headerStart));
    const repaired = Buffer.from(Buffer.from(body.buffer, body.byteOffset + dataStart, dataEnd - dataStart).toString('utf8'), 'utf8');
    parts.push(stringHeader(repaired.length), repaired);
    copiedTo = dataEnd;
  }
  parts.push(body.subarray(copiedTo));
  return Buffer.concat(parts);
}

function stringHeader(length: number): Uint8Array {
  if (length < 32) return Uint8Array.of(0xa0 | length);
  if (length < 0x100) return Uint8Array.of(0xd9, length);
  if (length < 0x10000) return Uint8Array.of(0xda, length >> 8, length & 0xff);
  return Uint8Array.of(0xdb, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}
