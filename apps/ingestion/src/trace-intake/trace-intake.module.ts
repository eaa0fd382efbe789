import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from '@faultline/intake';
import { DatadogAgentController } from '../datadog/datadog-agent.controller';
import { DRAIN_TIMEOUT_MS, IntakeDrain, IntakeDrainMiddleware } from '../http/intake-drain';
import { BODY_LIMITS, RawBodyMiddleware } from '../http/raw-body.middleware';
import { OtlpController } from '../otlp/otlp.controller';
import { applyOtlpMiddleware, otlpIntakeProviders } from '../otlp/otlp-intake.providers';
import { IngestionMetrics } from './ingestion-metrics';
import { RecentSpans } from './recent-spans';
import { INTAKE_LIMITS, TraceIntakeService } from './trace-intake.service';

export interface TraceIntakeOptions {
  maxBodyBytes: number;
  /** Largest body once gzip/deflate is undone; `maxBodyBytes` when not set. */
  maxDecompressedBytes?: number;
  /** Spans per payload and field lengths (see IntakeLimits); the defaults for what is not set. */
  intakeLimits?: Partial<IntakeLimits>;
  /** A module exporting `SpanPublisher`: Kafka in the app, a fake in HTTP-level tests. */
  publishing: DynamicModule;
  /** OTLP export requests handled at once (429 beyond); 64 when not set. */
  otlpMaxConcurrentRequests?: number;
  /** Longest a shutdown waits for intake requests in flight (IntakeDrain); 10 s when not set. */
  drainTimeoutMs?: number;
}

/**
 * The tracer-facing HTTP API and the intake pipeline behind it. Needs the `Registry` that the
 * observability HealthModule provides globally.
 */
@Module({})
export class TraceIntakeModule implements NestModule {
  static forRoot(options: TraceIntakeOptions): DynamicModule {
    const bodyLimits = { maxBodyBytes: options.maxBodyBytes, maxDecompressedBytes: options.maxDecompressedBytes ?? options.maxBodyBytes };
    const intakeLimits: IntakeLimits = { ...DEFAULT_INTAKE_LIMITS, ...options.intakeLimits };
    return {
      module: TraceIntakeModule,
      imports: [options.publishing],
      controllers: [DatadogAgentController, OtlpController],
      providers: [
        TraceIntakeService,
        IngestionMetrics,
        RawBodyMiddleware,
        IntakeDrain,
        IntakeDrainMiddleware,
        ...(options.drainTimeoutMs === undefined ? [] : [{ provide: DRAIN_TIMEOUT_MS, useValue: options.drainTimeoutMs }]),
        { provide: BODY_LIMITS, useValue: bodyLimits },
        { provide: INTAKE_LIMITS, useValue: intakeLimits },
        // One memory of recent spans for every protocol: a trace may cross Datadog and OTel services.
        { provide: RecentSpans, useFactory: () => new RecentSpans() },
        ...otlpIntakeProviders({ ...bodyLimits, maxConcurrentRequests: options.otlpMaxConcurrentRequests ?? 64 }),
      ],
      exports: [IntakeDrain],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The drain first: once shutdown started, a request is refused before its body is read.
    consumer.apply(IntakeDrainMiddleware, RawBodyMiddleware).forRoutes(DatadogAgentController);
    applyOtlpMiddleware(consumer, IntakeDrainMiddleware);
  }
}
