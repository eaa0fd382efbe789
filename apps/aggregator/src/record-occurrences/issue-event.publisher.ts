import { issueEventCodec, TOPICS, type IssueEventMessage } from '@faultline/contracts';
import type { KafkaProducer } from '@faultline/kafka';

/** Port: where the use case sends issue state changes. Resolves once the events are durable. */
export interface IssueEventPublisher {
  publish(events: readonly IssueEventMessage[]): Promise<void>;
}

/**
 * `issue-events` on Kafka, keyed by issue id so one issue's events stay in one partition, in order.
 * The producer's connection belongs to the consumer that owns the process (OccurrenceConsumer).
 */
export class KafkaIssueEventPublisher implements IssueEventPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topic: string = TOPICS.issueEvents,
  ) {}

  async publish(events: readonly IssueEventMessage[]): Promise<void> {
    await this.producer.send(
      this.topic,
      events.map((event) => ({ key: event.issueId, value: issueEventCodec.encode(event) })),
    );
  }
}
