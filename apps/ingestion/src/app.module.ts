import { DynamicModule, Module } from '@nestjs/common';
import type { IngestionConfig } from '@faultline/config';
import { createMetricsRegistry, HealthModule, type Logger } from '@faultline/observability';
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
          publishing: SpanPublishingModule.forKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, logger }),
        }),
      ],
    };
  }
}
