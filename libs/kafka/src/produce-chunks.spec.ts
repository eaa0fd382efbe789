import { chunkBySize, messageBytes } from './produce-chunks';

const message = (key: string, valueBytes: number, headers?: Record<string, string>) => ({ key, value: Buffer.alloc(valueBytes, 0x61), headers });

describe('chunkBySize', () => {
  it('keeps the order and puts as many messages in a run as fit the budget', () => {
    const messages = Array.from({ length: 10 }, (_, i) => message(`k${i}`, 100));
    const size = messageBytes(messages[0]);
    const chunks = chunkBySize(messages, size * 4);
    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 2]);
    expect(chunks.flat()).toEqual(messages);
  });

  it('counts keys, values and headers, and sends a message over the budget alone', () => {
    expect(messageBytes(message('ab', 10, { 'x-h': 'vvv' }))).toBe(32 + 2 + 10 + 3 + 3);
    const big = message('big', 5000);
    const chunks = chunkBySize([message('a', 10), big, message('b', 10)], 1000);
    expect(chunks).toEqual([[message('a', 10)], [big], [message('b', 10)]]);
  });

  it('answers no runs for no messages', () => {
    expect(chunkBySize([], 1000)).toEqual([]);
  });
});
