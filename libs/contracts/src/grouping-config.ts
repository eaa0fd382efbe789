import { z } from 'zod';

/**
 * A tenant's grouping rule: occurrences matching every given condition are grouped under `groupKey`
 * (within their service, like every issue) instead of their computed fingerprint. At least one
 * condition is required; all are case-sensitive: `service` and `errorType` must be equal (a substring
 * rule for `Error` would catch every `TypeError`), `messageContains` and `frameContains` are substrings.
 */
export const groupingRuleMatchSchema = z
  .object({
    service: z.string().min(1).max(256).optional(),
    errorType: z.string().min(1).max(256).optional(),
    /** Substring of the parameterised message (the template), e.g. `Payment declined for order`. */
    messageContains: z.string().min(1).max(1024).optional(),
    /** Substring of any in-app frame's function, file or module. */
    frameContains: z.string().min(1).max(1024).optional(),
  })
  .refine((match) => Object.values(match).some((value) => value !== undefined), 'a rule needs at least one condition');
export type GroupingRuleMatch = z.infer<typeof groupingRuleMatchSchema>;

export const groupingRuleSchema = z.object({
  id: z.string().min(1),
  match: groupingRuleMatchSchema,
  groupKey: z.string().trim().min(1).max(256),
  createdAtMs: z.number().int().nonnegative(),
});
export type GroupingRule = z.infer<typeof groupingRuleSchema>;

/**
 * Per-tenant overrides of the built-in library/app classification of frames. Patterns are globs (`*`
 * any run of characters, `?` one character) matched against a frame's normalised file, its module and
 * its function; `exclude` wins over `include`.
 */
export const inAppPatternsSchema = z.object({
  include: z.array(z.string().min(1).max(512)).max(100),
  exclude: z.array(z.string().min(1).max(512)).max(100),
});
export type InAppPatterns = z.infer<typeof inAppPatternsSchema>;

/** Everything a tenant configured about grouping; rules apply in creation order, the first match wins. */
export const groupingConfigSchema = z.object({
  rules: z.array(groupingRuleSchema),
  inApp: inAppPatternsSchema,
});
export type GroupingConfig = z.infer<typeof groupingConfigSchema>;

export const EMPTY_GROUPING_CONFIG: GroupingConfig = { rules: [], inApp: { include: [], exclude: [] } };
