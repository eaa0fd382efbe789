-- Fills `issue_representatives` (0013) from the occurrences stored before it; rows the view already
-- wrote collapse with these, and a re-run changes nothing a read sees.
INSERT INTO {{database}}.issue_representatives (tenant, issue_id, version_key, host_key, newest, timestamp_ms, occurrence_id)
SELECT tenant, issue_id, ifNull(version, '\0') AS version_key, ifNull(host, '\0') AS host_key,
    timestamp_ms * 1048576 + toUInt64(reinterpretAsUInt32(reverse(unhex(concat('0', substring(occurrence_id, 1, 5)))))) AS newest,
    timestamp_ms, occurrence_id
FROM {{database}}.occurrences;
