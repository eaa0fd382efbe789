import { DynamicModule, Module } from '@nestjs/common';
import type { IngestionConfig } from '@faultline/config';
import { createMetricsRegistry, HealthModule, type Logger } from '@faultline/observability';
import { OTLP_LISTEN_OPTIONS, OtlpListener } from './otlp/otlp-listener';
import { SpanPublishingModule } from './publishing/span-publishing.module';
import { TraceIntakeModule } from './trace-intake/trace-intake.module';

@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ metrics: createMetricsRegistry('ingestion') }),
        TraceIntakeModule.forRoot({
          maxBodyBytes: config.INGESTION_MAX_BODY_BYTES,
          maxDecompressedBytes: config.INGESTION_MAX_DECOMPRESSED_BYTES,
          intakeLimits: {
            maxSpansPerPayload: config.INGESTION_MAX_SPANS_PER_PAYLOAD,
            maxErrorMessageChars: config.INGESTION_MAX_ERROR_MESSAGE_CHARS,
            maxErrorStackChars: config.INGESTION_MAX_ERROR_STACK_CHARS,
            maxFieldChars: config.INGESTION_MAX_FIELD_CHARS,
            maxTagsPerSpan: config.INGESTION_MAX_TAGS_PER_SPAN,
          },
          otlpMaxConcurrentRequests: config.INGESTION_OTLP_MAX_CONCURRENT_REQUESTS,
          publishing: SpanPublishingModule.forKafka({
            brokers: config.KAFKA_BROKERS,
            clientId: config.KAFKA_CLIENT_ID,
            idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
            security: config,
            logger,
          }),
        }),
      ],
      // The OTLP/HTTP port, next to the Datadog one that main.ts listens on.
      providers: [{ provide: OTLP_LISTEN_OPTIONS, useValue: { port: config.INGESTION_OTLP_PORT, host: config.HTTP_HOST } }, OtlpListener],
    };
  }
}
