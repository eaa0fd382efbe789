import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { GRPC_CODE } from '@faultline/intake';
import type { NextFunction, Request, Response } from 'express';
import { OTLP_HTTP_OPTIONS, type OtlpHttpOptions, RETRY_AFTER_SECONDS, sendOtlpError } from './otlp-http';

/**
 * Load shedding: beyond `maxConcurrentRequests` export requests in flight (reading, decoding or
 * waiting for Kafka), answers 429 with `Retry-After` before reading the body, so a burst costs
 * memory for the requests being served only and the exporters retry later instead of dropping.
 */
@Injectable()
export class OtlpOverloadMiddleware implements NestMiddleware {
  private inFlight = 0;

  constructor(@Inject(OTLP_HTTP_OPTIONS) private readonly options: OtlpHttpOptions) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (this.inFlight >= this.options.maxConcurrentRequests) {
      return sendOtlpError(request, response, 429, GRPC_CODE.resourceExhausted, `over ${this.options.maxConcurrentRequests} export requests in flight`, RETRY_AFTER_SECONDS);
    }
    this.inFlight++;
    // 'close' fires once the response is sent or the connection is gone, whichever happens.
    response.once('close', () => this.inFlight--);
    next();
  }
}
