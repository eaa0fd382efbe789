// Grouping: what makes two error spans the same issue. Pure functions, no I/O.
export { parseStack, detectStackLanguage } from './parse-stack';
export type { ParsedStack } from './parse-stack';
export type { ParsedException, StackLanguage } from './parsed-stack';
export { normaliseMessage, MAX_MESSAGE_CHARS } from './normalise-message';
export {
  computeFingerprint,
  customFingerprint,
  ruleFingerprint,
  groupingInputs,
  FINGERPRINT_VERSION,
  MAX_GROUPING_FRAMES,
  MAX_GROUPING_EXCEPTIONS,
  MAX_CUSTOM_FINGERPRINT_CHARS,
} from './fingerprint';
export type { FingerprintInput, GroupingInputs, GroupingKey } from './fingerprint';
export { computeFingerprintV1, FINGERPRINT_V1 } from './fingerprint-v1';
export type { FingerprintV1Input } from './fingerprint-v1';
export { culpritOf } from './culprit';
export { occurrenceIdFor, issueIdFor } from './ids';
export { toOccurrence } from './to-occurrence';
export { applyInAppPatterns } from './in-app-patterns';
export { matchGroupingRule } from './grouping-rules';
export type { GroupingRuleSubject } from './grouping-rules';
