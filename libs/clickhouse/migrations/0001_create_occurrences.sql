-- One row per occurrence: an error span after stack parsing and fingerprinting, inserted by the
-- aggregator in JSONEachRow batches (never one INSERT per message).
--
-- ORDER BY (tenant, toDate(timestamp), issue_id, occurrence_id), as Snuba's errors_local:
--   * tenant first: every read is scoped to one tenant, so a tenant's rows are contiguous;
--   * the day next: time-range reads (series, "last 24 h" counts, facets over a range) prune by
--     date before anything else, and old days can be dropped as whole partitions;
--   * issue_id then: within a day an issue's occurrences are contiguous, so an issue's list, count
--     and tag distribution read few granules;
--   * occurrence_id last: it makes the key unique per occurrence. A redelivered or resent occurrence
--     has the same id and the same span timestamp, hence the same key in the same partition, and
--     ReplacingMergeTree collapses the copies when parts merge. Until a merge happens, reads
--     deduplicate explicitly (LIMIT 1 BY occurrence_id, uniqExact(occurrence_id)).
-- PARTITION BY month keeps the part count low; retention drops whole partitions
-- (18.16 has no TTL, so retention is an ALTER ... DROP PARTITION job, not table DDL).
--
-- `timestamp` is derived from `timestamp_ms` (span start) so the two can never disagree; it is in
-- UTC so day buckets do not depend on the server's time zone.
-- Nullable columns mirror the nullable fields of occurrence/v1 exactly.
-- `frames` is the parsed stack as a JSON array of StackFrame (contracts), read back whole for display.
-- `tags` is Nested (tags.key / tags.value arrays, as Snuba) so tag distributions and `key:value`
-- filters can use arrayJoin / has() without a schema change per tag.
CREATE TABLE IF NOT EXISTS {{database}}.{{local occurrences}}{{on_cluster}}
(
    tenant String,
    issue_id String,
    occurrence_id String,
    fingerprint String,
    fingerprint_version UInt32,
    timestamp_ms UInt64,
    timestamp DateTime('UTC') {{materialized}} toDateTime(intDiv(timestamp_ms, 1000), 'UTC'),
    received_at_ms UInt64,
    service LowCardinality(String),
    env LowCardinality(Nullable(String)),
    version LowCardinality(Nullable(String)),
    host Nullable(String),
    container Nullable(String),
    resource String,
    trace_id String,
    span_id String,
    error_type LowCardinality(String),
    error_message String,
    message_template String,
    stack String,
    frames String,
    culprit Nullable(String),
    tags Nested(key String, value String)
)
ENGINE = {{engine ReplacingMergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant, toDate(timestamp), issue_id, occurrence_id);
