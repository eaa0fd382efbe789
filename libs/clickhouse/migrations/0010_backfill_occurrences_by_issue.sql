-- Copies the occurrences stored before 0009 into `occurrences_by_issue`. Rows the view already copied
-- (inserted between 0009 and this) arrive twice and collapse like any redelivered occurrence, and
-- reads deduplicate by occurrence_id before merges, so the overlap is harmless; so is a re-run.
INSERT INTO {{database}}.occurrences_by_issue (tenant, issue_id, timestamp_ms, timestamp, occurrence_id, service, env, version, host, container, resource, trace_id, trace_id_hex, tags.key, tags.value)
SELECT tenant, issue_id, timestamp_ms, timestamp, occurrence_id, service, env, version, host, container, resource, trace_id, trace_id_hex, tags.key, tags.value
FROM {{database}}.occurrences;
