import { decodeListCursor, encodeListCursor, InvalidListCursorError } from './list-cursor';

describe('issue list cursors', () => {
  it('round-trip a position in a snapshot, and in a list that had none', () => {
    for (const cursor of [
      { snapshotId: 'Zm9vYmFyYmF6cXV4MTIzNA', index: 24, totalCount: 9_999 },
      { snapshotId: '', index: 0, totalCount: 1 },
    ]) {
      expect(decodeListCursor(encodeListCursor(cursor))).toEqual(cursor);
    }
    expect(encodeListCursor({ snapshotId: 'abc', index: 1, totalCount: 2 })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['not base64 json', '%%%'],
    ['an occurrence cursor', Buffer.from(JSON.stringify(['o', 1, 'x'])).toString('base64url')],
    ['a negative index', Buffer.from(JSON.stringify(['l', 'abc', -1, 2])).toString('base64url')],
    ['a fractional total', Buffer.from(JSON.stringify(['l', 'abc', 1, 2.5])).toString('base64url')],
    ['a snapshot id with other characters', Buffer.from(JSON.stringify(['l', '../x', 1, 2])).toString('base64url')],
    ['extra elements', Buffer.from(JSON.stringify(['l', 'abc', 1, 2, 3])).toString('base64url')],
  ])('refuses %s', (_, text) => {
    expect(() => decodeListCursor(text)).toThrow(InvalidListCursorError);
  });
});
