import { z } from 'zod';

/**
 * One parsed stack frame. `line` and `column` are kept for display and never enter the fingerprint.
 * `file` is the normalised file name (no release directories or build hashes); `module` is the
 * namespace/package where the runtime reports one (JVM class, Python module, Go package).
 */
export const stackFrameSchema = z.object({
  function: z.string().nullable(),
  file: z.string().nullable(),
  module: z.string().nullable(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  inApp: z.boolean(),
});
export type StackFrame = z.infer<typeof stackFrameSchema>;
