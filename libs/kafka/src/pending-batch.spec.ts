import { PendingBatch } from './pending-batch';

const message = (partition: number, offset: string) => ({
  topic: 't', partition, offset, key: null, value: offset, raw: Buffer.from(offset),
});

describe('PendingBatch', () => {
  it('commits, per partition, one past the highest offset taken, counting rejected messages too', () => {
    const pending = new PendingBatch<string>();
    pending.addValid(message(0, '5'));
    pending.addValid(message(0, '6'));
    pending.addRejected({ ...message(0, '7'), reason: 'bad' });
    pending.addValid(message(3, '9007199254740993'));
    const taken = pending.take();
    expect(taken.valid.map((m) => m.offset)).toEqual(['5', '6', '9007199254740993']);
    expect(taken.rejected).toHaveLength(1);
    expect(taken.commitOffsets).toEqual([
      { topic: 't', partition: 0, offset: '8' },
      { topic: 't', partition: 3, offset: '9007199254740994' },
    ]);
  });

  it('is empty after take', () => {
    const pending = new PendingBatch<string>();
    pending.addValid(message(1, '1'));
    pending.take();
    expect(pending.size).toBe(0);
    expect(pending.take().commitOffsets).toEqual([]);
  });
});
