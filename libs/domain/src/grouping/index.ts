// Grouping: what makes two error spans the same issue. Pure functions, no I/O.
export { parseStack, detectStackLanguage } from './parse-stack';
export type { ParsedStack } from './parse-stack';
export type { ParsedException, StackLanguage } from './parsed-stack';
export { normaliseMessage, MAX_MESSAGE_CHARS } from './normalise-message';
export { computeFingerprint, groupingKeys, FINGERPRINT_VERSION, MAX_GROUPING_FRAMES } from './fingerprint';
export type { FingerprintInput } from './fingerprint';
export { culpritOf } from './culprit';
export { occurrenceIdFor, issueIdFor } from './ids';
export { toOccurrence } from './to-occurrence';
