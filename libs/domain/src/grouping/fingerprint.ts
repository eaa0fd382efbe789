import { StackFrame } from '@faultline/contracts';
import { sha256Hex } from './hash';

/**
 * Version of the grouping algorithm, stored with every occurrence and issue. Any change to what goes
 * into the fingerprint (parsers' normalisation included) must bump it, or existing issues silently split.
 */
export const FINGERPRINT_VERSION = 1;

/** Innermost frames kept: deep framework stacks vary at their outer end, not where the error is. */
export const MAX_GROUPING_FRAMES = 30;

export interface FingerprintInput {
  errorType: string;
  /** The output of `normaliseMessage`, never the raw message. */
  messageTemplate: string;
  /** Innermost first, as `parseStack` returns them. */
  frames: readonly StackFrame[];
}

/** What of a frame identifies code across deploys: never line, column or directories. */
type GroupingKey = readonly [module: string | null, fn: string | null, file: string | null];

/**
 * Fingerprint v1 = first 128 bits of sha256 over
 *   ['faultline', version, error type, message template, grouping frames]
 * where the grouping frames are the in-app frames (all frames when none is in-app), each as
 * (module, function, file), frames with neither function nor file dropped, consecutive repeats
 * (direct recursion) collapsed, and at most MAX_GROUPING_FRAMES innermost ones kept.
 */
export function computeFingerprint(input: FingerprintInput): string {
  return sha256Hex(['faultline', FINGERPRINT_VERSION, input.errorType.trim(), input.messageTemplate, groupingKeys(input.frames)]).slice(0, 32);
}

export function groupingKeys(frames: readonly StackFrame[]): GroupingKey[] {
  const inApp = frames.filter((frame) => frame.inApp);
  const keys: GroupingKey[] = [];
  for (const frame of inApp.length > 0 ? inApp : frames) {
    if (frame.function === null && frame.file === null) continue;
    const key: GroupingKey = [frame.module, frame.function, frame.file];
    const previous = keys[keys.length - 1];
    if (previous && previous[0] === key[0] && previous[1] === key[1] && previous[2] === key[2]) continue;
    keys.push(key);
    if (keys.length === MAX_GROUPING_FRAMES) break;
  }
  return keys;
}
