import type { OccurrenceMessage, StackFrame } from '@faultline/contracts';

/**
 * One row of the `occurrences` table as written with JSONEachRow (see migrations/0001 and later).
 * `timestamp` is not here: the table derives it from `timestamp_ms`.
 */
export interface OccurrenceRow {
  tenant: string;
  issue_id: string;
  occurrence_id: string;
  fingerprint: string;
  fingerprint_version: number;
  timestamp_ms: number;
  received_at_ms: number;
  service: string;
  env: string | null;
  version: string | null;
  host: string | null;
  container: string | null;
  resource: string;
  trace_id: string;
  /** 32 lowercase hex, or '' when unknown (migrations/0003; also what rows written before it read as). */
  trace_id_hex: string;
  span_id: string;
  error_type: string;
  error_message: string;
  message_template: string;
  stack: string;
  /** JSON array of {@link StackFrame}. */
  frames: string;
  culprit: string | null;
  'tags.key': string[];
  'tags.value': string[];
}

/** An occurrence as read back from ClickHouse. */
export interface StoredOccurrence {
  tenant: string;
  issueId: string;
  occurrenceId: string;
  fingerprint: string;
  fingerprintVersion: number;
  timestampMs: number;
  receivedAtMs: number;
  service: string;
  env: string | null;
  version: string | null;
  host: string | null;
  container: string | null;
  resource: string;
  traceId: string;
  /** The full 128-bit trace id as 32 lowercase hex; null when unknown. */
  traceIdHex: string | null;
  spanId: string;
  errorType: string;
  errorMessage: string;
  messageTemplate: string;
  stack: string;
  frames: StackFrame[];
  culprit: string | null;
  tags: Record<string, string>;
}

/**
 * occurrence/v1 message + the issue it was assigned to -> row. Pure and deterministic (tags sorted
 * by key), so a redelivered message produces a byte-identical row.
 */
export function toOccurrenceRow(message: OccurrenceMessage, issueId: string): OccurrenceRow {
  const tagKeys = Object.keys(message.tags).sort();
  return {
    tenant: message.tenant,
    issue_id: issueId,
    occurrence_id: message.occurrenceId,
    fingerprint: message.fingerprint,
    fingerprint_version: message.fingerprintVersion,
    timestamp_ms: message.timestampMs,
    received_at_ms: message.receivedAt,
    service: message.service,
    env: message.env,
    version: message.version,
    host: message.host,
    container: message.container,
    resource: message.resource,
    trace_id: message.traceId,
    trace_id_hex: message.traceIdHex ?? '',
    span_id: message.spanId,
    error_type: message.errorType,
    error_message: message.errorMessage,
    message_template: message.messageTemplate,
    stack: message.stack,
    frames: JSON.stringify(message.frames),
    culprit: message.culprit,
    'tags.key': tagKeys,
    'tags.value': tagKeys.map((key) => message.tags[key]),
  };
}

/** The row as ClickHouse returns it: 64-bit integers may arrive quoted (output_format_json_quote_64bit_integers). */
export type OccurrenceRowOutput = Omit<OccurrenceRow, 'fingerprint_version' | 'timestamp_ms' | 'received_at_ms'> & {
  fingerprint_version: number | string;
  timestamp_ms: number | string;
  received_at_ms: number | string;
};

export function fromOccurrenceRow(row: OccurrenceRowOutput): StoredOccurrence {
  return {
    ...fromSummaryRow(row),
    fingerprint: row.fingerprint,
    fingerprintVersion: Number(row.fingerprint_version),
    receivedAtMs: Number(row.received_at_ms),
    spanId: row.span_id,
    errorType: row.error_type,
    errorMessage: row.error_message,
    messageTemplate: row.message_template,
    stack: row.stack,
    frames: parseFrames(row.frames),
    culprit: row.culprit,
  };
}

/**
 * An occurrence without its stack, frames, messages and span id: the columns `occurrences_by_issue`
 * holds (migrations/0009), enough for lists of occurrences that show where and when.
 */
export type OccurrenceSummary = Pick<
  StoredOccurrence,
  'tenant' | 'issueId' | 'occurrenceId' | 'timestampMs' | 'service' | 'env' | 'version' | 'host' | 'container' | 'resource' | 'traceId' | 'traceIdHex' | 'tags'
>;

/** The `occurrences_by_issue` columns (migrations/0009), in the order summary reads select them. */
export const SUMMARY_COLUMNS = [
  'tenant',
  'issue_id',
  'occurrence_id',
  'timestamp_ms',
  'service',
  'env',
  'version',
  'host',
  'container',
  'resource',
  'trace_id',
  'trace_id_hex',
  'tags.key',
  'tags.value',
] as const satisfies readonly (keyof OccurrenceRowOutput)[];

/** What a summary row reads as (JSONEachRow): those columns of a whole row. */
export type OccurrenceSummaryRowOutput = Pick<OccurrenceRowOutput, (typeof SUMMARY_COLUMNS)[number]>;

export function fromSummaryRow(row: OccurrenceSummaryRowOutput): OccurrenceSummary {
  const tags: Record<string, string> = {};
  row['tags.key'].forEach((key, index) => {
    tags[key] = row['tags.value'][index] ?? '';
  });
  return {
    tenant: row.tenant,
    issueId: row.issue_id,
    occurrenceId: row.occurrence_id,
    timestampMs: Number(row.timestamp_ms),
    service: row.service,
    env: row.env,
    version: row.version,
    host: row.host,
    container: row.container,
    resource: row.resource,
    traceId: row.trace_id,
    traceIdHex: row.trace_id_hex === '' ? null : row.trace_id_hex,
    tags,
  };
}

/** `frames` column -> frames; [] for a value that is not a JSON array. */
export function parseFrames(json: string): StackFrame[] {
  try {
    const frames: unknown = JSON.parse(json);
    return Array.isArray(frames) ? (frames as StackFrame[]) : [];
  } catch {
    // Written by toOccurrenceRow, so this only happens for rows written by hand; the raw stack is still there.
    return [];
  }
}

/** Column list of {@link OccurrenceRow}, in table order, for SELECTs. */
export const OCCURRENCE_COLUMNS = [
  'tenant',
  'issue_id',
  'occurrence_id',
  'fingerprint',
  'fingerprint_version',
  'timestamp_ms',
  'received_at_ms',
  'service',
  'env',
  'version',
  'host',
  'container',
  'resource',
  'trace_id',
  'trace_id_hex',
  'span_id',
  'error_type',
  'error_message',
  'message_template',
  'stack',
  'frames',
  'culprit',
  'tags.key',
  'tags.value',
] as const satisfies readonly (keyof OccurrenceRow)[];
