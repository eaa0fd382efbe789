import { Kafka, Partitioners, Producer } from 'kafkajs';
import { chunkBySize, DEFAULT_MAX_SEND_BYTES } from './produce-chunks';

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string | Buffer>;
}

export interface KafkaProducerOptions {
  /**
   * Idempotent delivery (a retried send is not written twice). Required off only for librdkafka's mock
   * cluster (local development), which does not implement it; consumers deduplicate by deterministic ids
   * either way.
   */
  idempotent: boolean;
  /** Bytes of messages per produce request, under the brokers' `message.max.bytes` (see produce-chunks). */
  maxSendBytes?: number;
}

/** Produces with acks from all in-sync replicas, so a resolved `send` means the data survives a broker loss. */
export class KafkaProducer {
  private readonly producer: Producer;
  private connected = false;
  private readonly maxSendBytes: number;

  constructor(kafka: Kafka, options: KafkaProducerOptions) {
    this.maxSendBytes = options.maxSendBytes ?? DEFAULT_MAX_SEND_BYTES;
    this.producer = kafka.producer({
      // The Java-compatible murmur2 partitioner: keys land where other Kafka clients would put them.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: options.idempotent,
      // Idempotence keeps order only with one request in flight per connection.
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
    });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    this.producer.on(this.producer.events.CONNECT, () => (this.connected = true));
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Resolves once every message is acknowledged. Sent in runs of at most `maxSendBytes`, one after the
   * other so a key's messages keep their order; when a later run fails, the earlier ones are already
   * written, and the caller's retry writes them again (consumers deduplicate by deterministic ids).
   */
  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    for (const chunk of chunkBySize(messages, this.maxSendBytes)) {
      await this.producer.send({ topic, acks: -1, messages: chunk });
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }
}
