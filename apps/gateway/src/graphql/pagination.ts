import { GraphQLError } from 'graphql';
import { PageRequest } from './issue-reader.port';

export const MAX_PAGE_SIZE = 100;

/** Validates `first`/`after` once for every connection, with errors in the standard GraphQL shape. */
export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const size = first ?? 25;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`first must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
    });
  }
  return { first: size, after: after ?? undefined };
}
