import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * Milliseconds since the epoch inside, ISO-8601 strings on the wire. The description must repeat the SDL's:
 * the served scalar is this object, description included (schema-drift.spec.ts checks they agree).
 */
export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC, e.g. 2026-11-25T10:15:30.123Z.',
  serialize: (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new GraphQLError('DateTime must be epoch milliseconds internally');
    return new Date(value).toISOString();
  },
  parseValue: (value) => parseIso(value),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? parseIso(ast.value) : invalid(ast.kind)),
});

function parseIso(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) return invalid(value);
  return ms;
}

function invalid(value: unknown): never {
  throw new GraphQLError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
}
