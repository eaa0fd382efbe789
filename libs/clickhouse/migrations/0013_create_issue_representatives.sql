-- The newest occurrence of each (issue, version, host): what Issue.representativeOccurrences lists and
-- where Issue.latestOccurrence is found (the newest of an issue's pairs), without reading every
-- occurrence of a large issue (a 674 000-occurrence issue took 60-140 ms per such read in
-- occurrences_by_issue; here it has one row per version and host).
--
-- Filled by the materialized view from every insert into `occurrences`. ReplacingMergeTree(newest)
-- keeps, per (tenant, issue, version, host), the row with the greatest `newest`: the timestamp in ms
-- times 2^20 plus the occurrence id's first 20 bits, so the order is the reads' (timestamp, then id)
-- except for two occurrences of one pair in the same millisecond whose ids share their first five hex
-- digits. Reads take argMax((timestamp_ms, occurrence_id)) per pair, exact before merges too. NULL
-- version or host is a value of its own ('\0' in the key, apart from ''). Re-runnable (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS {{database}}.{{local issue_representatives}}{{on_cluster}}
(
    tenant String,
    issue_id String,
    version_key LowCardinality(String),
    host_key String,
    newest UInt64,
    timestamp_ms UInt64,
    occurrence_id String
)
ENGINE = {{engine ReplacingMergeTree(newest)}}
ORDER BY (tenant, issue_id, version_key, host_key);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.issue_representatives_mv{{on_cluster}} TO {{database}}.{{local issue_representatives}} AS
SELECT tenant, issue_id, ifNull(version, '\0') AS version_key, ifNull(host, '\0') AS host_key,
    timestamp_ms * 1048576 + toUInt64(reinterpretAsUInt32(reverse(unhex(concat('0', substring(occurrence_id, 1, 5)))))) AS newest,
    timestamp_ms, occurrence_id
FROM {{database}}.{{local occurrences}};
