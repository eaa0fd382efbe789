import { DynamicModule, Global, Module } from '@nestjs/common';
import { createKafka, Kafka, KafkaConnectionOptions } from './kafka.factory';
import { KafkaProducer, KafkaProducerOptions } from './kafka.producer';

/** Injection token of the kafkajs client (`Kafka`) a service shares between its consumers and producer. */
export const KAFKA = Symbol('KAFKA');

/**
 * One Kafka client and one producer per service. Connecting and disconnecting stay with the component
 * that uses the producer (a consumer must drain and commit before its producer goes away, an ordering
 * Nest's module-level shutdown hooks do not promise).
 */
@Global()
@Module({})
export class KafkaModule {
  static register(options: KafkaConnectionOptions & { producer: KafkaProducerOptions }): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA, useFactory: () => createKafka(options) },
        { provide: KafkaProducer, useFactory: (kafka: Kafka) => new KafkaProducer(kafka, options.producer), inject: [KAFKA] },
      ],
      exports: [KAFKA, KafkaProducer],
    };
  }
}
