import { type MiddlewareConsumer, type NestMiddleware, type Provider, RequestMethod, type Type } from '@nestjs/common';
import { OtlpBodyMiddleware } from './otlp-body.middleware';
import { OTLP_HTTP_OPTIONS, type OtlpHttpOptions } from './otlp-http';
import { OtlpIntakeService } from './otlp-intake.service';
import { OtlpOverloadMiddleware } from './otlp-overload.middleware';

/** What TraceIntakeModule provides for the OTLP controller. */
export function otlpIntakeProviders(options: OtlpHttpOptions): Provider[] {
  return [OtlpIntakeService, OtlpOverloadMiddleware, OtlpBodyMiddleware, { provide: OTLP_HTTP_OPTIONS, useValue: options }];
}

/** `before` (the shutdown drain) first, then the overload guard: a refused request is answered before its body is read. */
export function applyOtlpMiddleware(consumer: MiddlewareConsumer, before: Type<NestMiddleware>): void {
  consumer.apply(before, OtlpOverloadMiddleware, OtlpBodyMiddleware).forRoutes({ path: 'v1/traces', method: RequestMethod.POST });
}
