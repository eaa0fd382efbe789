-- IssueRecord.regression: a RESOLVED issue that came back (see the regression rule in
-- libs/domain/src/issue). UInt8 0/1 (18.16 has no Bool); rows written before this migration read 0.
--
-- Not re-runnable: ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS. The file holds this one
-- statement, so it has either applied or not; schema_migrations keeps it from running twice.
ALTER TABLE {{database}}.{{tables issues}}{{on_cluster}} ADD COLUMN regression UInt8 DEFAULT 0 AFTER last_version;
