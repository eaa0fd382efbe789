import { IssueStatus } from '@faultline/contracts';
import { GraphQLError } from 'graphql';
import { IssueListFilter, IssueSort, IssueSortField, OccurrenceListFilter, TagCondition } from './issue-reader.port';

/** `IssueFilter` as GraphQL hands it over (DateTimes already parsed to epoch ms by the scalar). */
export interface IssueFilterInput {
  service?: string | null;
  env?: string | null;
  version?: string | null;
  status?: IssueStatus[] | null;
  search?: string | null;
  from?: number | null;
  to?: number | null;
  firstSeenAfter?: number | null;
  tags?: string[] | null;
}

export interface OccurrenceFilterInput {
  env?: string | null;
  version?: string | null;
  host?: string | null;
  from?: number | null;
  to?: number | null;
  tags?: string[] | null;
}

export interface IssueSortInput {
  field?: IssueSortField | null;
  direction?: 'ASC' | 'DESC' | null;
}

/** What the default list shows: everything but IGNORED. */
export const DEFAULT_STATUSES: IssueStatus[] = ['FOR_REVIEW', 'REVIEWED', 'RESOLVED'];
export const DEFAULT_SORT: IssueSort = { field: 'LAST_SEEN', direction: 'DESC' };
export const MAX_TAG_CONDITIONS = 10;
export const MAX_FILTER_TEXT_LENGTH = 512;
export const MAX_FACET_KEYS = 20;
export const MAX_KEY_LENGTH = 200;

export function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argumentName: field.split(/[.[]/)[0], field } });
}

/** IssueFilterInput -> the reader's filter; the same for the list, the facets and the bulk update, so all select the same issues. */
export function issueListFilter(input: IssueFilterInput | null | undefined, argument = 'filter'): IssueListFilter {
  const filter = input ?? {};
  const range = timeRange(filter.from, filter.to, argument);
  return {
    service: text(filter.service, `${argument}.service`),
    env: text(filter.env, `${argument}.env`),
    version: text(filter.version, `${argument}.version`),
    statuses: filter.status && filter.status.length > 0 ? filter.status : DEFAULT_STATUSES,
    search: text(filter.search?.trim() || undefined, `${argument}.search`),
    ...range,
    firstSeenAfterMs: filter.firstSeenAfter ?? undefined,
    tags: tagConditions(filter.tags, `${argument}.tags`),
  };
}

export function occurrenceListFilter(input: OccurrenceFilterInput | null | undefined): OccurrenceListFilter {
  const filter = input ?? {};
  return {
    env: text(filter.env, 'filter.env'),
    version: text(filter.version, 'filter.version'),
    host: text(filter.host, 'filter.host'),
    ...timeRange(filter.from, filter.to, 'filter'),
    tags: tagConditions(filter.tags, 'filter.tags'),
  };
}

export function issueSort(input: IssueSortInput | null | undefined): IssueSort {
  return { field: input?.field ?? DEFAULT_SORT.field, direction: input?.direction ?? DEFAULT_SORT.direction };
}

/** `key:value` split at the first colon; the key is trimmed and must not be empty, the value is kept as sent. */
export function tagConditions(tags: readonly string[] | null | undefined, field: string): TagCondition[] | undefined {
  if (!tags || tags.length === 0) return undefined;
  if (tags.length > MAX_TAG_CONDITIONS) throw badInput(field, `at most ${MAX_TAG_CONDITIONS} conditions, got ${tags.length}`);
  return tags.map((tag, index) => {
    const colon = tag.indexOf(':');
    const key = colon > 0 ? tag.slice(0, colon).trim() : '';
    if (key === '' || key.length > MAX_KEY_LENGTH) throw badInput(`${field}[${index}]`, `expected key:value with a key of 1 to ${MAX_KEY_LENGTH} characters, got ${JSON.stringify(tag.slice(0, 50))}`);
    return { key, value: text(tag.slice(colon + 1), `${field}[${index}]`) ?? '' };
  });
}

/** Facet keys: 1 to MAX_FACET_KEYS distinct, non-blank keys. */
export function facetKeys(keys: readonly string[]): string[] {
  if (keys.length === 0 || keys.length > MAX_FACET_KEYS) throw badInput('keys', `1 to ${MAX_FACET_KEYS} keys, got ${keys.length}`);
  keys.forEach((key, index) => {
    if (key.trim() === '' || key.length > MAX_KEY_LENGTH) throw badInput(`keys[${index}]`, `1 to ${MAX_KEY_LENGTH} characters`);
  });
  return [...new Set(keys)];
}

/** An integer argument within bounds. */
export function boundedInt(value: number | null | undefined, fallback: number, min: number, max: number, field: string): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) throw badInput(field, `must be between ${min} and ${max}, got ${result}`);
  return result;
}

function timeRange(from: number | null | undefined, to: number | null | undefined, argument: string): { fromMs?: number; toMs?: number } {
  if (from != null && to != null && to <= from) throw badInput(`${argument}.to`, 'must be after from');
  return { fromMs: from ?? undefined, toMs: to ?? undefined };
}

function text(value: string | null | undefined, field: string): string | undefined {
  if (value == null) return undefined;
  if (value.length > MAX_FILTER_TEXT_LENGTH) throw badInput(field, `at most ${MAX_FILTER_TEXT_LENGTH} characters, got ${value.length}`);
  return value;
}
