-- Fills `issue_hourly_counts` (0007) for occurrences stored before it existed, so time-range lists,
-- COUNT and RELEVANCE sorts and older count series see them. The count per (issue, hour) is the
-- number of distinct occurrence ids stored, which is what the aggregator's Redis counters hold for
-- the same hour; the aggregator may write the same hours concurrently, and the largest count wins.
--
-- Re-runnable: a second run writes the same absolute counts again, which changes nothing a read sees.
INSERT INTO {{database}}.issue_hourly_counts (tenant, issue_id, hour_start_ms, count)
SELECT tenant, issue_id, intDiv(timestamp_ms, 3600000) * 3600000 AS hour_start_ms, uniqExact(occurrence_id) AS count
FROM {{database}}.occurrences
GROUP BY tenant, issue_id, hour_start_ms;
