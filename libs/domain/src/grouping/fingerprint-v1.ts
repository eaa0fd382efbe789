import { StackFrame } from '@faultline/contracts';
import { sha256Hex } from './hash';

/**
 * Fingerprint v1, frozen: kept so the v1 -> v2 upgrade stays documented and testable (and so an
 * alias step can recompute the v1 fingerprint of a new occurrence, see FINGERPRINTS.md). Never
 * change it; grouping changes go into `computeFingerprint` under a new version.
 */
export const FINGERPRINT_V1 = 1;

export interface FingerprintV1Input {
  errorType: string;
  /** The output of `normaliseMessage`, never the raw message. */
  messageTemplate: string;
  /** The reported exception's frames, innermost first, as `parseStack(...).frames` returns them. */
  frames: readonly StackFrame[];
}

const V1_MAX_GROUPING_FRAMES = 30;

type GroupingKeyV1 = readonly [module: string | null, fn: string | null, file: string | null];

/**
 * v1 = first 128 bits of sha256 over ['faultline', 1, error type, message template, grouping frames]
 * where the grouping frames are the reported exception's in-app frames (all frames when none is
 * in-app), each as (module, function, file), frames with neither function nor file dropped,
 * consecutive repeats collapsed, at most 30 innermost kept. Causes are ignored.
 */
export function computeFingerprintV1(input: FingerprintV1Input): string {
  return sha256Hex(['faultline', FINGERPRINT_V1, input.errorType.trim(), input.messageTemplate, groupingKeysV1(input.frames)]).slice(0, 32);
}

export function groupingKeysV1(frames: readonly StackFrame[]): GroupingKeyV1[] {
  const inApp = frames.filter((frame) => frame.inApp);
  const keys: GroupingKeyV1[] = [];
  for (const frame of inApp.length > 0 ? inApp : frames) {
    if (frame.function === null && frame.file === null) continue;
    const key: GroupingKeyV1 = [frame.module, frame.function, frame.file];
    const previous = keys[keys.length - 1];
    if (previous && previous[0] === key[0] && previous[1] === key[1] && previous[2] === key[2]) continue;
    keys.push(key);
    if (keys.length === V1_MAX_GROUPING_FRAMES) break;
  }
  return keys;
}
