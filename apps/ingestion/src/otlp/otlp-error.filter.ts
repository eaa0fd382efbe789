import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { GRPC_CODE, IntakeError } from '@faultline/intake';
import type { Request, Response } from 'express';
import { SpanPublishError } from '../publishing/span-publisher';
import { RETRY_AFTER_SECONDS, sendOtlpError } from './otlp-http';

/**
 * The decoder's status (400/415, not retried by exporters) for a body we cannot accept; 503 with
 * `Retry-After` when Kafka did not take the spans, which the exporters retry.
 */
@Catch(IntakeError, SpanPublishError)
export class OtlpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(OtlpErrorFilter.name);

  catch(error: IntakeError | SpanPublishError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (error instanceof IntakeError) {
      this.logger.warn(`rejected OTLP export (${error.status}): ${error.message}`);
      sendOtlpError(request, response, error.status, GRPC_CODE.invalidArgument, error.message);
      return;
    }
    this.logger.error(error.message);
    sendOtlpError(request, response, 503, GRPC_CODE.unavailable, error.message, RETRY_AFTER_SECONDS);
  }
}
