import { DynamicModule, Module } from '@nestjs/common';
import { createKafka, KafkaProducer, KafkaSecuritySettings } from '@faultline/kafka';
import type { Logger } from '@faultline/observability';
import { KafkaSpanPublisher } from './kafka-span-publisher';
import { SpanPublisher } from './span-publisher';

export interface KafkaPublishingOptions {
  brokers: string[];
  clientId: string;
  idempotentProducer: boolean;
  security: KafkaSecuritySettings;
  logger: Logger;
}

/** Provides the `SpanPublisher`; tests swap in their own module exporting a fake one. */
@Module({})
export class SpanPublishingModule {
  static forKafka(options: KafkaPublishingOptions): DynamicModule {
    return {
      module: SpanPublishingModule,
      providers: [
        {
          provide: KafkaProducer,
          useFactory: () =>
            new KafkaProducer(
              createKafka({
                brokers: options.brokers,
                clientId: options.clientId,
                security: options.security,
                log: (level, message, extra) => options.logger[level](extra, message),
              }),
              { idempotent: options.idempotentProducer },
            ),
        },
        { provide: SpanPublisher, useClass: KafkaSpanPublisher },
      ],
      exports: [SpanPublisher],
    };
  }
}
