-- Queryable projection of the issue state (IssueRecord in contracts). Redis holds the authoritative
-- copy; the aggregator appends the full record after every write that touched an issue, with the
-- issue's monotonic `revision`.
--
-- ReplacingMergeTree(revision) ORDER BY (tenant, issue_id): one logical row per issue, and merges
-- keep the highest revision, so a late or replayed older revision never wins. Merges are lazy, so
-- reads take argMax(column, revision) GROUP BY issue_id rather than trusting FINAL (which is slow
-- and interacts badly with WHERE on non-key columns in old versions).
-- tenant first because every read is per tenant; issue_id makes the key unique per issue.
-- No partitioning: the table holds one row per issue (plus not-yet-merged revisions), it stays small.
-- `status` is a string rather than an Enum so new workflow states need no ALTER.
CREATE TABLE IF NOT EXISTS {{database}}.{{local issues}}{{on_cluster}}
(
    tenant String,
    issue_id String,
    fingerprint String,
    fingerprint_version UInt32,
    service LowCardinality(String),
    env LowCardinality(Nullable(String)),
    envs Array(String),
    error_type String,
    error_message String,
    message_template String,
    culprit Nullable(String),
    status LowCardinality(String),
    occurrence_count UInt64,
    first_seen_ms UInt64,
    last_seen_ms UInt64,
    first_version Nullable(String),
    last_version Nullable(String),
    revision UInt64
)
ENGINE = {{engine ReplacingMergeTree(revision)}}
ORDER BY (tenant, issue_id);
