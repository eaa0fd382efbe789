import { FingerprinterConfig } from '@faultline/config';
import { KafkaModule } from '@faultline/kafka';
import { createMetricsRegistry, HealthModule, Logger } from '@faultline/observability';
import { GroupingConfigStore, REDIS, RedisModule } from '@faultline/redis';
import type { RedisClient } from '@faultline/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { FingerprintConsumer } from './fingerprint.consumer';
import { GroupingConfigCache } from './grouping-config.cache';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER } from './tokens';

@Module({})
export class AppModule {
  static register(config: FingerprinterConfig, log: Logger, onFatal: (error: Error) => void): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ metrics: createMetricsRegistry('fingerprinter') }),
        KafkaModule.register({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-fingerprinter`,
          security: config,
          log: (level, message, extra) => log[level](extra, message),
          producer: { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER },
        }),
        RedisModule.register(config),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: log },
        { provide: FATAL_HANDLER, useValue: onFatal },
        {
          provide: GroupingConfigCache,
          useFactory: (redis: RedisClient) => new GroupingConfigCache(new GroupingConfigStore(redis), config.FINGERPRINTER_GROUPING_CONFIG_TTL_MS, log),
          inject: [REDIS],
        },
        FingerprintConsumer,
      ],
    };
  }
}
