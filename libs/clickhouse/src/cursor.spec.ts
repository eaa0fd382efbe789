import { checkPageSize, decodeCursor, encodeCursor, InvalidCursorError } from './cursor';

describe('cursors', () => {
  it('round-trips a position', () => {
    const cursor = encodeCursor('occurrence', { ms: 1_732_500_000_123, id: 'a'.repeat(32) });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('occurrence', cursor)).toEqual({ ms: 1_732_500_000_123, id: 'a'.repeat(32) });
  });

  it('keeps ids with quotes intact (they are escaped when used in SQL, not here)', () => {
    const cursor = encodeCursor('occurrence', { ms: 0, id: "x' OR 1=1 --" });
    expect(decodeCursor('occurrence', cursor).id).toBe("x' OR 1=1 --");
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['another kind', Buffer.from('["i",1,"x"]').toString('base64url')],
    ['not an array', Buffer.from('{"ms":1}').toString('base64url')],
    ['negative ms', Buffer.from('["o",-1,"x"]').toString('base64url')],
    ['fractional ms', Buffer.from('["o",1.5,"x"]').toString('base64url')],
    ['string ms', Buffer.from('["o","1","x"]').toString('base64url')],
    ['empty id', Buffer.from('["o",1,""]').toString('base64url')],
    ['huge id', Buffer.from(JSON.stringify(['o', 1, 'x'.repeat(300)])).toString('base64url')],
    ['extra fields', Buffer.from('["o",1,"x",2]').toString('base64url')],
  ])('rejects %s', (_label, cursor) => {
    expect(() => decodeCursor('occurrence', cursor)).toThrow(InvalidCursorError);
  });
});

describe('checkPageSize', () => {
  it('accepts 0..1000 and rejects the rest', () => {
    expect(checkPageSize(0)).toBe(0);
    expect(checkPageSize(1000)).toBe(1000);
    expect(() => checkPageSize(-1)).toThrow(RangeError);
    expect(() => checkPageSize(1001)).toThrow(RangeError);
    expect(() => checkPageSize(2.5)).toThrow(RangeError);
  });
});
