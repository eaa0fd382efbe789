import { ErrorSpanMessage, occurrenceCodec, TOPICS } from '@faultline/contracts';
import { toOccurrence } from '@faultline/domain';
import { BatchOutcome, ConsumedMessage, KafkaProducer, OutgoingMessage } from '@faultline/kafka';

/**
 * error-spans -> occurrences. Occurrences are keyed by occurrence id, not fingerprint: the aggregator's
 * work is order-independent, so spreading one hot issue over every partition keeps load even.
 */
export class FingerprintBatchHandler {
  constructor(private readonly producer: KafkaProducer) {}

  async handle(messages: ConsumedMessage<ErrorSpanMessage>[]): Promise<BatchOutcome> {
    const outgoing: OutgoingMessage[] = [];
    const rejected: BatchOutcome['rejected'] = [];
    for (const message of messages) {
      try {
        const occurrence = toOccurrence(message.value);
        outgoing.push({ key: occurrence.occurrenceId, value: occurrenceCodec.encode(occurrence) });
      } catch (error) {
        rejected.push({ message, reason: `fingerprinting failed: ${(error as Error).message}` });
      }
    }
    await this.producer.send(TOPICS.occurrences, outgoing);
    return { rejected };
  }
}
