import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { IntakeError } from '@faultline/intake';
import type { Response } from 'express';
import { RETRY_AFTER_SECONDS } from '../otlp/otlp-http';
import { SpanPublishError } from '../publishing/span-publisher';

/**
 * Answers the tracer in the agent's style, `{ "error": message }`: the decoder's status (400/415) for
 * a body we cannot accept, 503 with Retry-After when Kafka did not take the spans (the payload is
 * worth resending).
 */
@Catch(IntakeError, SpanPublishError)
export class IntakeErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(IntakeErrorFilter.name);

  catch(error: IntakeError | SpanPublishError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof IntakeError) {
      this.logger.warn(`rejected payload (${error.status}): ${error.message}`);
      response.status(error.status).json({ error: error.message });
      return;
    }
    this.logger.error(error.message);
    // As for OTLP: the client may resend after a second (dd-trace itself drops the payload on a 503).
    response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(503).json({ error: error.message });
  }
}
