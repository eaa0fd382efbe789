-- IssueRecord.resolvedInVersion: the last seen version when the issue was resolved; an occurrence
-- from a newer version regresses it. NULL when not resolved or the version was unknown.
--
-- Not re-runnable (no ADD COLUMN IF NOT EXISTS in 18.16): this statement is alone in its file.
ALTER TABLE {{database}}.{{tables issues}}{{on_cluster}} ADD COLUMN resolved_in_version Nullable(String) AFTER assignee;
