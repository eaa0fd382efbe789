import { z } from 'zod';

export const issueStatusSchema = z.enum(['FOR_REVIEW', 'REVIEWED', 'IGNORED', 'RESOLVED']);
export type IssueStatus = z.infer<typeof issueStatusSchema>;

/**
 * The state of one issue after a write. Redis holds the authoritative copy (updated atomically per
 * batch); ClickHouse keeps every revision as a queryable projection where the highest `revision` wins.
 */
export const issueRecordSchema = z.object({
  tenant: z.string(),
  issueId: z.string(),
  fingerprint: z.string(),
  fingerprintVersion: z.number().int(),
  service: z.string(),
  /** Env of the first occurrence; `envs` lists every env the issue was seen in. */
  env: z.string().nullable(),
  envs: z.array(z.string()),
  errorType: z.string(),
  /** Message of the first occurrence, as sent. */
  errorMessage: z.string(),
  messageTemplate: z.string(),
  culprit: z.string().nullable(),
  status: issueStatusSchema,
  count: z.number().int().nonnegative(),
  firstSeenMs: z.number().int(),
  lastSeenMs: z.number().int(),
  firstVersion: z.string().nullable(),
  lastVersion: z.string().nullable(),
  /** Set when a RESOLVED issue came back (see the regression rule); cleared by the next status change. */
  regression: z.boolean().default(false),
  /** Who owns the issue, as given to `assignIssue`; null when unassigned. */
  assignee: z.string().nullable().default(null),
  /** The issue's last seen version when it was resolved; a newer version's occurrence regresses it. */
  resolvedInVersion: z.string().nullable().default(null),
  /** Monotonic per issue, incremented by every write; orders the ClickHouse projection rows. */
  revision: z.number().int().positive(),
});
export type IssueRecord = z.infer<typeof issueRecordSchema>;
