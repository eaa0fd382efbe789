import { issueEventCodec, IssueEventMessage, TOPICS } from '@faultline/contracts';
import { KafkaProducer } from '@faultline/kafka';
import { HealthRegistry } from '@faultline/observability';
import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { IssueEventPublisher } from './issue-workflow.port';

/**
 * Produces to `issue-events` keyed by issue id, so one issue's events (the aggregator's `created` and
 * `regressed`, the gateway's `status_changed` and `assigned`) share a partition and stay in order.
 */
@Injectable()
export class KafkaIssueEventPublisher implements IssueEventPublisher, OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly producer: KafkaProducer,
    health: HealthRegistry,
  ) {
    health.addReadinessCheck('kafka-producer', () => (producer.isConnected ? { ok: true } : { ok: false, detail: 'producer not connected' }));
  }

  /** Connect before listening: a gateway whose mutations cannot emit their events should not take traffic. */
  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }

  async publish(events: readonly IssueEventMessage[]): Promise<void> {
    await this.producer.send(
      TOPICS.issueEvents,
      events.map((event) => ({ key: event.issueId, value: issueEventCodec.encode(event) })),
    );
  }
}
