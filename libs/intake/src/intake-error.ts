/**
 * A request body the intake cannot accept. `status` is the HTTP status to answer with: 400 for a
 * malformed payload, 415 for an unsupported content type. The message names the offending trace,
 * span and field (`traces[0][3].trace_id: ...`) so a tracer author can find the problem.
 */
export class IntakeError extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeError';
  }
}
