import { FingerprinterConfig } from '@faultline/config';
import { KafkaModule } from '@faultline/kafka';
import { createMetricsRegistry, HealthModule, HealthRegistry, Logger } from '@faultline/observability';
import { createRedisClient, GroupingConfigStore, redisReadiness } from '@faultline/redis';
import type { Redis } from '@faultline/redis';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { FingerprintConsumer } from './fingerprint.consumer';
import { GroupingConfigCache } from './grouping-config.cache';
import { APP_CONFIG, APP_LOGGER, FATAL_HANDLER, REDIS } from './tokens';

/**
 * Redis readiness, and closing the client once the consumer has drained (it drains in
 * `beforeApplicationShutdown`, before any `onApplicationShutdown` hook runs).
 */
@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    health: HealthRegistry,
  ) {
    health.addReadinessCheck('redis', () => redisReadiness(redis));
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

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
          log: (level, message, extra) => log[level](extra, message),
          producer: { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER },
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_LOGGER, useValue: log },
        { provide: FATAL_HANDLER, useValue: onFatal },
        { provide: REDIS, useFactory: () => createRedisClient(config.REDIS_URL) },
        {
          provide: GroupingConfigCache,
          useFactory: (redis: Redis) => new GroupingConfigCache(new GroupingConfigStore(redis), config.FINGERPRINTER_GROUPING_CONFIG_TTL_MS, log),
          inject: [REDIS],
        },
        RedisLifecycle,
        FingerprintConsumer,
      ],
    };
  }
}
