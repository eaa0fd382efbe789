-- Fills `issue_facet_values` (0011) from the occurrences stored before it. Rows the view already
-- wrote arrive again and collapse; reads count distinct issues, so the overlap and a re-run are harmless.
INSERT INTO {{database}}.issue_facet_values (tenant, key, day, value, issue_id)
SELECT tenant, kv.1 AS key, toDate(toDateTime(intDiv(timestamp_ms, 1000), 'UTC')) AS day, kv.2 AS value, issue_id
FROM {{database}}.occurrences
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
