-- Occurrences per issue per UTC hour, as counted by the aggregator's Redis script (each occurrence id
-- once within the dedupe window). The aggregator writes, after every batch, the absolute count of
-- every hour the batch touched; a count only grows, so ReplacingMergeTree(count) keeps the largest
-- row per (tenant, hour, issue) and reads take max(count) per (issue, hour) before merges. Writing
-- the same absolute value again (a redelivered batch) changes nothing, which is why this table holds
-- counts rather than increments (a SummingMergeTree would double-count every redelivery).
--
-- What it is for: issue lists sorted by COUNT within a time range and by RELEVANCE (last hour, day,
-- week), and count series older than the hours Redis keeps. Reading it costs one row per issue-hour
-- instead of one per occurrence.
--
-- ORDER BY (tenant, hour_start_ms, issue_id): list queries read every issue over a recent range, so
-- the range is contiguous per tenant. PARTITION BY month as `occurrences`, so retention drops both
-- tables' old months together.
CREATE TABLE IF NOT EXISTS {{database}}.{{local issue_hourly_counts}}{{on_cluster}}
(
    tenant String,
    issue_id String,
    hour_start_ms UInt64,
    count UInt64
)
ENGINE = {{engine ReplacingMergeTree(count)}}
PARTITION BY toYYYYMM(toDateTime(intDiv(hour_start_ms, 1000), 'UTC'))
ORDER BY (tenant, hour_start_ms, issue_id);
