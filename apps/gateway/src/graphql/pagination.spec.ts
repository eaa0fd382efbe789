import { GraphQLError } from 'graphql';
import { DateTimeScalar } from './date-time.scalar';
import { MAX_PAGE_SIZE, pageRequest } from './pagination';

describe('pageRequest', () => {
  it('defaults to 25 and passes the cursor through', () => {
    expect(pageRequest(undefined, null)).toEqual({ first: 25, after: undefined });
    expect(pageRequest(10, 'abc')).toEqual({ first: 10, after: 'abc' });
  });

  it.each([0, -1, MAX_PAGE_SIZE + 1, 2.5])('rejects first=%p as BAD_USER_INPUT naming the argument', (first) => {
    let thrown: unknown;
    try {
      pageRequest(first, undefined);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect((thrown as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
    expect((thrown as GraphQLError).message).toContain('first must be between 1 and 100');
  });
});

describe('DateTime scalar', () => {
  it('serialises epoch milliseconds as ISO-8601 UTC', () => {
    expect(DateTimeScalar.serialize(1795571501272)).toBe('2026-11-25T01:51:41.272Z');
  });

  it('parses ISO strings and rejects anything else as BAD_USER_INPUT', () => {
    expect(DateTimeScalar.parseValue('2026-11-25T01:51:41.272Z')).toBe(1795571501272);
    expect(() => DateTimeScalar.parseValue('yesterday')).toThrow(/DateTime must be an ISO-8601 string/);
  });
});
