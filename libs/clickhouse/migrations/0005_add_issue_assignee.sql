-- IssueRecord.assignee: who owns the issue, as given to assignIssue; NULL when unassigned (and for
-- rows written before this migration).
--
-- Not re-runnable (no ADD COLUMN IF NOT EXISTS in 18.16): this statement is alone in its file.
ALTER TABLE {{database}}.{{tables issues}}{{on_cluster}} ADD COLUMN assignee Nullable(String) AFTER regression;
