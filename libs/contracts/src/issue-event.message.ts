import { z } from 'zod';
import { issueStatusSchema } from './issue-record';

/** What happened to an issue; `issue-events` carries one message per change, for monitors. */
export const issueChangeActionSchema = z.enum(['created', 'status_changed', 'regressed', 'assigned']);
export type IssueChangeAction = z.infer<typeof issueChangeActionSchema>;

/** One entry of an issue's history (oldest first), kept with the issue state. */
export const issueChangeSchema = z.object({
  atMs: z.number().int().nonnegative(),
  /** `system` for changes the pipeline made (creation, regression, auto-resolve). */
  actor: z.string().min(1),
  action: issueChangeActionSchema,
  from: issueStatusSchema.nullable(),
  to: issueStatusSchema.nullable(),
  /** For `assigned`: the new assignee. */
  assignee: z.string().nullable().default(null),
  /**
   * Why the system made the change (auto-resolve: `inactive for 14 days`, `superseded by version
   * 2.4.0`). Optional so entries written before it, and changes people make, stay valid as they are.
   */
  reason: z.string().nullable().optional(),
});
export type IssueChange = z.infer<typeof issueChangeSchema>;

/** `issue-events` topic, schema v1, keyed by issue id (events of one issue stay in order). */
export const issueEventMessageSchema = z.object({
  schema: z.literal('issue-event/v1'),
  tenant: z.string().min(1),
  issueId: z.string().min(1),
  service: z.string().min(1),
  fingerprint: z.string(),
  errorType: z.string(),
  change: issueChangeSchema,
});
export type IssueEventMessage = z.infer<typeof issueEventMessageSchema>;
