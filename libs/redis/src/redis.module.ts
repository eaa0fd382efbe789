import { HealthRegistry } from '@faultline/observability';
import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { createRedisClient, RedisConnectionSettings, redisReadiness, type RedisClient } from './redis.client';

/** Injection token of a service's Redis client (`RedisClient`: ioredis `Redis`, or `Cluster` with REDIS_CLUSTER_NODES). */
export const REDIS = Symbol('REDIS');

/**
 * Reports Redis in readiness and closes the client at shutdown. Components that still write drain in
 * `beforeApplicationShutdown`, which Nest runs before every `onApplicationShutdown` hook.
 */
@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient, health: HealthRegistry) {
    health.addReadinessCheck('redis', () => redisReadiness(redis));
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/**
 * One Redis client per service. Needs HealthModule (global) for its readiness check. Takes the
 * service's validated config (its redisEnv part), so a new connection setting needs no app change.
 */
@Global()
@Module({})
export class RedisModule {
  static register(connection: RedisConnectionSettings): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS, useFactory: () => createRedisClient(connection) }, RedisLifecycle],
      exports: [REDIS],
    };
  }
}
