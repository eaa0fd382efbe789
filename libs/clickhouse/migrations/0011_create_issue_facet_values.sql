-- Which issues have which value of the facet keys on which UTC day: what Query.facets counts for
-- occurrence-level keys. Without it a facet scans every occurrence of the filtered issues (1.2 s for
-- `http.route` over 10 million rows); here a key's rows are contiguous and there is one per
-- (day, value, issue), so a facet reads a few hundred thousand small rows.
--
-- Filled by the materialized view from every insert into `occurrences` (one row per occurrence and key
-- with a value, collapsed by ReplacingMergeTree; reads count distinct issues, so unmerged copies and
-- redelivered occurrences change nothing). The keys are the ones the aggregator tracks per issue
-- (TRACKED_VALUE_KEYS in libs/domain) that live on occurrences; the expressions are those of
-- occurrenceValue in libs/clickhouse/src/occurrence-fields.ts (a contract test checks they agree).
-- Other span tags are faceted from `occurrences` directly. Both statements are re-runnable.
CREATE TABLE IF NOT EXISTS {{database}}.{{local issue_facet_values}}{{on_cluster}}
(
    tenant String,
    key String,
    day Date,
    value String,
    issue_id String
)
ENGINE = {{engine ReplacingMergeTree}}
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, key, day, value, issue_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.issue_facet_values_mv{{on_cluster}} TO {{database}}.{{local issue_facet_values}} AS
SELECT tenant, kv.1 AS key, toDate(toDateTime(intDiv(timestamp_ms, 1000), 'UTC')) AS day, kv.2 AS value, issue_id
FROM {{database}}.{{local occurrences}}
ARRAY JOIN [
    ('version', ifNull(version, '')),
    ('host', ifNull(host, '')),
    ('container', ifNull(container, '')),
    ('resource', resource),
    ('runtime', if(tags.value[indexOf(tags.key, 'process.runtime.name')] != '', if(tags.value[indexOf(tags.key, 'process.runtime.version')] = '', tags.value[indexOf(tags.key, 'process.runtime.name')], concat(tags.value[indexOf(tags.key, 'process.runtime.name')], ' ', tags.value[indexOf(tags.key, 'process.runtime.version')])), if(tags.value[indexOf(tags.key, 'language')] != '', if(tags.value[indexOf(tags.key, 'language.version')] = '', tags.value[indexOf(tags.key, 'language')], concat(tags.value[indexOf(tags.key, 'language')], ' ', tags.value[indexOf(tags.key, 'language.version')])), ''))),
    ('http.route', tags.value[indexOf(tags.key, 'http.route')]),
    ('http.status_code', tags.value[indexOf(tags.key, 'http.status_code')]),
    ('http.method', tags.value[indexOf(tags.key, 'http.method')])
] AS kv
WHERE kv.2 != '';
