import { type MiddlewareConsumer, type Provider, RequestMethod } from '@nestjs/common';
import { OtlpBodyMiddleware } from './otlp-body.middleware';
import { OTLP_HTTP_OPTIONS, type OtlpHttpOptions } from './otlp-http';
import { OtlpIntakeService } from './otlp-intake.service';
import { OtlpOverloadMiddleware } from './otlp-overload.middleware';

/** What TraceIntakeModule provides for the OTLP controller. */
export function otlpIntakeProviders(options: OtlpHttpOptions): Provider[] {
  return [OtlpIntakeService, OtlpOverloadMiddleware, OtlpBodyMiddleware, { provide: OTLP_HTTP_OPTIONS, useValue: options }];
}

/** Overload guard first: a request over the limit is answered before its body is read. */
export function applyOtlpMiddleware(consumer: MiddlewareConsumer): void {
  consumer.apply(OtlpOverloadMiddleware, OtlpBodyMiddleware).forRoutes({ path: 'v1/traces', method: RequestMethod.POST });
}
