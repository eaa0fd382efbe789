import { StackFrame } from '@faultline/contracts';
import { sha256Hex } from './hash';
import { normaliseMessage } from './normalise-message';
import type { ParsedStack } from './parse-stack';

/**
 * Version of the grouping algorithm, stored with every occurrence and issue. Any change to what goes
 * into the fingerprint (parsers' normalisation included) must bump it, or existing issues silently
 * split; FINGERPRINTS.md says how an upgrade maps old fingerprints. v1 lives on in `fingerprint-v1.ts`.
 */
export const FINGERPRINT_VERSION = 2;

/** Innermost frames kept per exception: deep framework stacks vary at their outer end, not where the error is. */
export const MAX_GROUPING_FRAMES = 30;
/** Exceptions of a chain kept (the reported one and its first causes); real chains are far shorter. */
export const MAX_GROUPING_EXCEPTIONS = 8;
/** Longest `error.fingerprint` value used; longer ones are cut, so a giant tag costs no more than a short one. */
export const MAX_CUSTOM_FINGERPRINT_CHARS = 256;
/** Repeated call cycles up to this length collapse into one (direct recursion is length 1, a -> b -> a is 2). */
const MAX_RECURSION_CYCLE = 3;

export interface FingerprintInput {
  /** The error type the tracer reported (`error.type` / `exception.type`). */
  errorType: string;
  /** The output of `normaliseMessage`, never the raw message; used only when the frames cannot tell bugs apart. */
  messageTemplate: string;
  /** What `parseStack` returned for the error's stack. */
  stack: Pick<ParsedStack, 'language' | 'exceptions'>;
}

/** What of a frame identifies code across deploys: never line, column or directories. */
export type GroupingKey = readonly [module: string | null, fn: string | null, file: string | null];

/** Exactly what v2 hashes, exposed so tests (and one day the UI) can say why two errors grouped. */
export interface GroupingInputs {
  errorType: string;
  /** The reported exception first (its type is `errorType`, so null here), then its causes with their printed type. */
  exceptions: Array<{ type: string | null; frames: GroupingKey[] }>;
  /** The message template when no frame names a function, else null: see `groupingInputs`. */
  messageTemplate: string | null;
}

/** Fingerprint v2: the first 128 bits of sha256 over ['faultline', 2, inputs], see `groupingInputs`. */
export function computeFingerprint(input: FingerprintInput): string {
  const { errorType, exceptions, messageTemplate } = groupingInputs(input);
  const chain = exceptions.map((exception) => [exception.type, exception.frames]);
  return sha256Hex(['faultline', FINGERPRINT_VERSION, errorType, chain, messageTemplate]).slice(0, 32);
}

/**
 * `error.fingerprint` set by the user replaces the computed fingerprint. Hashed under its own tag so it
 * can never equal a computed one; the issue id adds tenant and service, so one value groups within a
 * service only (as Datadog scopes it). Null when the tag is absent or blank.
 */
export function customFingerprint(value: string | null | undefined): string | null {
  const trimmed = value?.trim().slice(0, MAX_CUSTOM_FINGERPRINT_CHARS).trim();
  if (!trimmed) return null;
  return sha256Hex(['faultline', FINGERPRINT_VERSION, 'custom', trimmed]).slice(0, 32);
}

/**
 * A tenant grouping rule's `groupKey` replaces the computed fingerprint. Hashed under a tag of its own
 * ('rule', not 'custom'), so a rule's key and an `error.fingerprint` tag with the same text stay two
 * groups, and neither can equal a computed fingerprint. Scoped to the service by the issue id, like
 * the tag. The key is trimmed (the contract's schema already trims it).
 */
export function ruleFingerprint(groupKey: string): string {
  return sha256Hex(['faultline', FINGERPRINT_VERSION, 'rule', groupKey.trim()]).slice(0, 32);
}

/**
 * v2 grouping inputs:
 * - the error type;
 * - for the reported exception and each cause (at most MAX_GROUPING_EXCEPTIONS), the cause's printed
 *   type and its grouping frames. Grouping frames are the in-app frames when the chain has any in-app
 *   frame at all, otherwise every frame; each as (module, function, normalised file), never line or
 *   column; frames with neither function nor file and synthetic frames (JVM lambda proxies) dropped;
 *   repeated cycles of up to MAX_RECURSION_CYCLE frames collapsed (recursion depth does not matter);
 *   at most MAX_GROUPING_FRAMES innermost per exception;
 * - frames of the generic fallback parser are whole lines: directories removed and the line
 *   parameterised like a message, so line numbers, addresses and argument values do not split;
 * - the message template only when no grouping frame names a function: with no usable frame at all,
 *   or with anonymous functions only (`at /srv/app/routes.js:37:11`), where the file alone cannot
 *   tell two handlers of one file apart. Otherwise the message is not an input, so message
 *   variations never split an issue whose code location is known.
 */
export function groupingInputs(input: FingerprintInput): GroupingInputs {
  const chain = input.stack.exceptions.slice(0, MAX_GROUPING_EXCEPTIONS);
  const inAppOnly = chain.some((exception) => exception.frames.some((frame) => frame.inApp));
  const keyOf = input.stack.language === 'generic' ? genericFrameKey : frameKey;
  let namesAFunction = false;
  const exceptions = chain.map((exception, index) => {
    const frames = groupingFrames(exception.frames, inAppOnly, keyOf);
    if (!namesAFunction) namesAFunction = frames.some((key) => key[1] !== null);
    return { type: index === 0 ? null : (exception.type?.trim() ?? null), frames };
  });
  return { errorType: input.errorType.trim(), exceptions, messageTemplate: namesAFunction ? null : input.messageTemplate };
}

function groupingFrames(frames: readonly StackFrame[], inAppOnly: boolean, keyOf: (frame: StackFrame) => GroupingKey | null): GroupingKey[] {
  const keys: GroupingKey[] = [];
  for (const frame of frames) {
    if (inAppOnly && !frame.inApp) continue;
    const key = keyOf(frame);
    if (key === null) continue;
    keys.push(key);
    while (collapseRepeatedCycle(keys));
    if (keys.length === MAX_GROUPING_FRAMES) break;
  }
  return keys;
}

function frameKey(frame: StackFrame): GroupingKey | null {
  if (frame.function === null && frame.file === null) return null;
  // A JVM lambda proxy (`Service$$Lambda$14/0x….accept`, printed on Java 8 or with ShowHiddenFrames)
  // holds no code of its own: the lambda body's frame (`lambda$total$0`) follows it.
  if (frame.module !== null && frame.module.includes('$$Lambda')) return null;
  return [frame.module, frame.function, frame.file];
}

/** Directory parts of paths (`/srv/releases/v42/`, `C:\app\`): release and host names live there. */
const DIRECTORIES = /(?:[A-Za-z]:)?(?:[\w.@~+-]*[\\/])+/g;

function genericFrameKey(frame: StackFrame): GroupingKey | null {
  if (frame.function === null) return null;
  const text = normaliseMessage(frame.function.replace(DIRECTORIES, ''));
  return text ? [null, text, null] : null;
}

/**
 * When the newest keys repeat the cycle right before them (a a, a b a b, a b c a b c), drops the
 * repeat and returns true. Applied after every push until false, no repeated cycle survives.
 */
function collapseRepeatedCycle(keys: GroupingKey[]): boolean {
  for (let cycle = 1; cycle <= MAX_RECURSION_CYCLE; cycle++) {
    if (keys.length < 2 * cycle) return false;
    let repeated = true;
    for (let offset = 1; offset <= cycle && repeated; offset++) {
      repeated = sameKey(keys[keys.length - offset], keys[keys.length - offset - cycle]);
    }
    if (repeated) {
      keys.length -= cycle;
      return true;
    }
  }
  return false;
}

function sameKey(a: GroupingKey, b: GroupingKey): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
