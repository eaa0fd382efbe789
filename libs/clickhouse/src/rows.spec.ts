import { issueRecord, occurrenceMessage } from '../test/fixtures';
import { fromIssueRow, toIssueRow } from './issue-row';
import { fromOccurrenceRow, OCCURRENCE_COLUMNS, toOccurrenceRow } from './occurrence-row';

describe('toOccurrenceRow', () => {
  it('maps an occurrence/v1 message and its issue to a row', () => {
    const message = occurrenceMessage();
    const row = toOccurrenceRow(message, 'issue-1');
    expect(row).toMatchObject({
      tenant: 'default',
      issue_id: 'issue-1',
      occurrence_id: message.occurrenceId,
      timestamp_ms: 1_732_500_000_123,
      received_at_ms: 1_732_500_000_456,
      trace_id: '5208512171318403364',
      trace_id_hex: '6b063f2d0000000048485a3953bb6124',
      span_id: '1911447386232104137',
      env: 'production',
      culprit: 'getOrder (orders.controller.js)',
    });
    expect(JSON.parse(row.frames)).toEqual(message.frames);
    expect(Object.keys(row).sort()).toEqual([...OCCURRENCE_COLUMNS].sort());
  });

  it('writes tags sorted by key, so a redelivered message gives an identical row', () => {
    const row = toOccurrenceRow(occurrenceMessage({ tags: { z: '1', a: '2', 'http.route': '/x' } }), 'i');
    expect(row['tags.key']).toEqual(['a', 'http.route', 'z']);
    expect(row['tags.value']).toEqual(['2', '/x', '1']);
    const again = toOccurrenceRow(occurrenceMessage({ tags: { 'http.route': '/x', a: '2', z: '1' } }), 'i');
    expect(JSON.stringify(again)).toBe(JSON.stringify(row));
  });

  it('round-trips through the read mapping, including quoted 64-bit integers and nulls', () => {
    const message = occurrenceMessage({ env: null, version: null, host: null, container: null, culprit: null });
    const row = toOccurrenceRow(message, 'issue-1');
    const stored = fromOccurrenceRow({ ...row, timestamp_ms: String(row.timestamp_ms), received_at_ms: String(row.received_at_ms) });
    expect(stored).toEqual({
      tenant: message.tenant,
      issueId: 'issue-1',
      occurrenceId: message.occurrenceId,
      fingerprint: message.fingerprint,
      fingerprintVersion: 1,
      timestampMs: message.timestampMs,
      receivedAtMs: message.receivedAt,
      service: message.service,
      env: null,
      version: null,
      host: null,
      container: null,
      resource: message.resource,
      traceId: message.traceId,
      traceIdHex: message.traceIdHex,
      spanId: message.spanId,
      errorType: message.errorType,
      errorMessage: message.errorMessage,
      messageTemplate: message.messageTemplate,
      stack: message.stack,
      frames: message.frames,
      culprit: null,
      tags: message.tags,
    });
  });

  it("stores an unknown traceIdHex as '' and reads '' back as null", () => {
    const row = toOccurrenceRow(occurrenceMessage({ traceIdHex: null }), 'i');
    expect(row.trace_id_hex).toBe('');
    expect(fromOccurrenceRow(row).traceIdHex).toBeNull();
  });

  it('reads unparseable frames as none rather than failing the page', () => {
    const row = toOccurrenceRow(occurrenceMessage(), 'i');
    expect(fromOccurrenceRow({ ...row, frames: '{oops' }).frames).toEqual([]);
  });
});

describe('toIssueRow', () => {
  it('round-trips an IssueRecord, sorting envs', () => {
    const record = issueRecord({ envs: ['staging', 'production'], culprit: null, firstVersion: null });
    const row = toIssueRow(record);
    expect(row.envs).toEqual(['production', 'staging']);
    expect(row.occurrence_count).toBe(record.count);
    expect(fromIssueRow({ ...row, revision: String(row.revision), last_seen_ms: String(row.last_seen_ms) })).toEqual({
      ...record,
      envs: ['production', 'staging'],
    });
  });

  it('maps the workflow fields both ways', () => {
    const record = issueRecord({ status: 'FOR_REVIEW', regression: true, assignee: 'bob@example.com', resolvedInVersion: null });
    const row = toIssueRow(record);
    expect(row).toMatchObject({ regression: 1, assignee: 'bob@example.com', resolved_in_version: null });
    expect(fromIssueRow(row)).toEqual(record);
    const resolved = issueRecord({ status: 'RESOLVED', regression: false, assignee: null, resolvedInVersion: '1.4.2' });
    expect(toIssueRow(resolved)).toMatchObject({ regression: 0, assignee: null, resolved_in_version: '1.4.2' });
    expect(fromIssueRow({ ...toIssueRow(resolved), regression: '0' })).toEqual(resolved);
  });
});
