/**
 * A request body the intake cannot accept. `status` is the HTTP status to answer with: 400 for a
 * malformed payload, 413 for one over a limit (spans per payload), 415 for an unsupported content
 * type. The message names the offending trace, span and field (`traces[0][3].trace_id: ...`) so a
 * tracer author can find the problem.
 *
 * Contract of every decoder of this lib: it returns a result or throws IntakeError, whatever the
 * bytes; any other exception is a bug (the unit specs fuzz them for it).
 */
export class IntakeError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeError';
  }
}

/** Throws IntakeError; for helpers that take a `fail` callback. */
export function failIntake(status: 400 | 413 | 415, message: string): never {
  throw new IntakeError(status, message);
}
