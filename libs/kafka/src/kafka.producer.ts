import { Kafka, Partitioners, Producer } from 'kafkajs';

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
}

/** Produces with acks from all in-sync replicas, so a resolved `send` means the data survives a broker loss. */
export class KafkaProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka, options: KafkaProducerOptions) {
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

  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }
}
