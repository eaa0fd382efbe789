import type { OutgoingMessage } from './kafka.producer';

/**
 * Kafka brokers refuse a record batch above `message.max.bytes` (1 MiB by default), and kafkajs puts
 * every message of one send for one partition into one batch without splitting it. A budget under that
 * limit per send keeps a large request (thousands of spans, or spans with long stacks, all of one trace
 * and so of one partition) from being refused as a whole, forever, on every retry.
 */
export const DEFAULT_MAX_SEND_BYTES = 900 * 1024;
/** Per record on the wire besides key, value and headers (lengths, offsets, timestamp deltas), rounded up. */
const RECORD_OVERHEAD_BYTES = 32;

export function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * Consecutive runs of `messages`, in order, each at most `maxBytes` (a message larger than that on its
 * own is a run of one: the broker may allow it, and splitting a message is not ours to do).
 */
export function chunkBySize(messages: OutgoingMessage[], maxBytes: number): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (current.length > 0 && currentBytes + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
