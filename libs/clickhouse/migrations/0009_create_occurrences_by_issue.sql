-- The occurrences' small columns again, sorted by issue: what an issue's detail reads (tag
-- distributions, affected traces, series, the keys of its latest and representative occurrences and
-- of its occurrence pages). `occurrences` is sorted by (tenant, day, issue), which suits time-range
-- reads over all issues but makes one issue's rows a slice of every day: on 10 million rows a
-- 13-occurrence issue's detail read granules of all 30 days, and a large one read its rows spread
-- over them. Here an issue's rows are contiguous, ordered by time (Snuba keeps such secondary
-- orderings for the same reason).
--
-- Filled by the materialized view below from every insert into `occurrences`, so the aggregator
-- writes nothing more. No stacks, messages or frames: whole rows are read from `occurrences` by
-- (day, issue, id) key. ReplacingMergeTree on the same key as the source, so a redelivered
-- occurrence collapses here as there; reads deduplicate by occurrence_id before merges.
-- `timestamp` is copied from the source's (an ordinary column here: 18.16 refuses to push into a
-- MATERIALIZED one through a view). Both statements are re-runnable (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS {{database}}.{{local occurrences_by_issue}}{{on_cluster}}
(
    tenant String,
    issue_id String,
    timestamp_ms UInt64,
    timestamp DateTime('UTC'),
    occurrence_id String,
    service LowCardinality(String),
    env LowCardinality(Nullable(String)),
    version LowCardinality(Nullable(String)),
    host Nullable(String),
    container Nullable(String),
    resource String,
    trace_id String,
    trace_id_hex String,
    tags Nested(key String, value String)
)
ENGINE = {{engine ReplacingMergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant, issue_id, timestamp_ms, occurrence_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.occurrences_by_issue_mv{{on_cluster}} TO {{database}}.{{local occurrences_by_issue}} AS
SELECT tenant, issue_id, timestamp_ms, timestamp, occurrence_id, service, env, version, host, container, resource, trace_id, trace_id_hex, tags.key, tags.value
FROM {{database}}.{{local occurrences}};
