import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DatadogAgentController } from '../datadog/datadog-agent.controller';
import { MAX_BODY_BYTES, RawBodyMiddleware } from '../http/raw-body.middleware';
import { IngestionMetrics } from './ingestion-metrics';
import { TraceIntakeService } from './trace-intake.service';

export interface TraceIntakeOptions {
  maxBodyBytes: number;
  /** A module exporting `SpanPublisher`: Kafka in the app, a fake in HTTP-level tests. */
  publishing: DynamicModule;
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
      controllers: [DatadogAgentController],
      providers: [TraceIntakeService, IngestionMetrics, RawBodyMiddleware, { provide: MAX_BODY_BYTES, useValue: options.maxBodyBytes }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RawBodyMiddleware).forRoutes(DatadogAgentController);
  }
}
