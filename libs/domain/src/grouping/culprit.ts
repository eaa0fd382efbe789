import { StackFrame } from '@faultline/contracts';

/** The top in-app frame as `function (file)`, for the issue list; null when no frame is in-app. */
export function culpritOf(frames: readonly StackFrame[]): string | null {
  const top = frames.find((frame) => frame.inApp && (frame.function !== null || frame.file !== null));
  if (!top) return null;
  if (top.function === null) return top.file;
  return top.file === null ? top.function : `${top.function} (${top.file})`;
}
