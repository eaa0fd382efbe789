import { Kafka, Partitioners, Producer } from 'kafkajs';

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string | Buffer>;
}

/**
 * Produces with acks from all in-sync replicas, so a resolved `send` means the data survives a broker
 * loss. Not idempotent: librdkafka's mock cluster (local dev) rejects it, and consumers deduplicate by
 * deterministic ids anyway.
 */
export class KafkaProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    // The Java-compatible murmur2 partitioner: keys land where other Kafka clients would put them.
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
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
