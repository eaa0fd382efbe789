import { ErrorSpanMessage, GroupingConfig, occurrenceCodec, TOPICS } from '@faultline/contracts';
import { toOccurrence } from '@faultline/domain';
import { BatchOutcome, ConsumedMessage, KafkaProducer, OutgoingMessage } from '@faultline/kafka';

/** The tenants' grouping configs: `GroupingConfigCache` in the app. */
export interface GroupingConfigs {
  getMany(tenants: Iterable<string>): Promise<Map<string, GroupingConfig>>;
}

/**
 * error-spans -> occurrences. Occurrences are keyed by occurrence id, not fingerprint: the aggregator's
 * work is order-independent, so spreading one hot issue over every partition keeps load even.
 *
 * The grouping configs of the batch's tenants are fetched first; when one cannot be had, the whole
 * batch fails and the consumer runtime retries it (nothing is sent, nothing committed).
 */
export class FingerprintBatchHandler {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly groupingConfigs: GroupingConfigs,
  ) {}

  async handle(messages: ConsumedMessage<ErrorSpanMessage>[]): Promise<BatchOutcome> {
    const configs = await this.groupingConfigs.getMany(messages.map((message) => message.value.tenant));
    const outgoing: OutgoingMessage[] = [];
    const rejected: BatchOutcome['rejected'] = [];
    for (const message of messages) {
      // getMany answers for every tenant asked; a gap would be a bug, not a bad message: fail the batch.
      const config = configs.get(message.value.tenant);
      if (!config) throw new Error(`no grouping config for tenant ${message.value.tenant}`);
      try {
        const occurrence = toOccurrence(message.value, config);
        outgoing.push({ key: occurrence.occurrenceId, value: occurrenceCodec.encode(occurrence) });
      } catch (error) {
        rejected.push({ message, reason: `fingerprinting failed: ${(error as Error).message}` });
      }
    }
    await this.producer.send(TOPICS.occurrences, outgoing);
    return { rejected };
  }
}
