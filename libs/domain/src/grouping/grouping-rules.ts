import { GroupingRule, StackFrame } from '@faultline/contracts';

/** What a tenant's grouping rules are matched against: one occurrence after parsing and in-app patterns. */
export interface GroupingRuleSubject {
  service: string;
  errorType: string;
  /** The output of `normaliseMessage`: rules name the template, so ids in the message do not matter. */
  messageTemplate: string;
  /** Frames after the tenant's in-app patterns; `toOccurrence` passes those of the whole cause chain. */
  frames: readonly StackFrame[];
}

/**
 * The first rule (in the given order; the store returns creation order) whose every given condition
 * holds, or null:
 * - `service`: equals the span's service;
 * - `errorType`: equals the error type (trimmed, as the fingerprint reads it);
 * - `messageContains`: a substring of the message template;
 * - `frameContains`: a substring of the function, file or module of an in-app frame.
 * All comparisons are case-sensitive. Service and type are exact on purpose: as substrings, a rule
 * for `checkout` would catch `checkout-worker`, and one for `Error` every `TypeError`.
 */
export function matchGroupingRule(rules: readonly GroupingRule[], subject: GroupingRuleSubject): GroupingRule | null {
  if (rules.length === 0) return null;
  const errorType = subject.errorType.trim();
  for (const rule of rules) {
    const { service, errorType: type, messageContains, frameContains } = rule.match;
    if (service !== undefined && service !== subject.service) continue;
    if (type !== undefined && type !== errorType) continue;
    if (messageContains !== undefined && !subject.messageTemplate.includes(messageContains)) continue;
    if (frameContains !== undefined && !subject.frames.some((frame) => frame.inApp && frameContainsText(frame, frameContains))) continue;
    return rule;
  }
  return null;
}

function frameContainsText(frame: StackFrame, text: string): boolean {
  return Boolean(frame.function?.includes(text) || frame.file?.includes(text) || frame.module?.includes(text));
}
