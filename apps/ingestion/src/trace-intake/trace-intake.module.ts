import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DatadogAgentController } from '../datadog/datadog-agent.controller';
import { MAX_BODY_BYTES, RawBodyMiddleware } from '../http/raw-body.middleware';
import { OtlpController } from '../otlp/otlp.controller';
import { applyOtlpMiddleware, otlpIntakeProviders } from '../otlp/otlp-intake.providers';
import { IngestionMetrics } from './ingestion-metrics';
import { RecentSpans } from './recent-spans';
import { TraceIntakeService } from './trace-intake.service';

export interface TraceIntakeOptions {
  maxBodyBytes: number;
  /** A module exporting `SpanPublisher`: Kafka in the app, a fake in HTTP-level tests. */
  publishing: DynamicModule;
  /** OTLP export requests handled at once (429 beyond); 64 when not set. */
  otlpMaxConcurrentRequests?: number;
}

/**
 * The tracer-facing HTTP API and the intake pipeline behind it. Needs the `Registry` that the
 * observability HealthModule provides globally.
 */
@Module({})
export class TraceIntakeModule implements NestModule {
  static forRoot(options: TraceIntakeOptions): DynamicModule {
    return {
      module: TraceIntakeModule,
      imports: [options.publishing],
      controllers: [DatadogAgentController, OtlpController],
      providers: [TraceIntakeService, IngestionMetrics, RawBodyMiddleware, { provide: MAX_BODY_BYTES, useValue: options.maxBodyBytes },
        // One memory of recent spans for every protocol: a trace may cross Datadog and OTel services.
        { provide: RecentSpans, useFactory: () => new RecentSpans() },
        ...otlpIntakeProviders({ maxBodyBytes: options.maxBodyBytes, maxConcurrentRequests: options.otlpMaxConcurrentRequests ?? 64 }),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RawBodyMiddleware).forRoutes(DatadogAgentController);
    applyOtlpMiddleware(consumer);
  }
}
