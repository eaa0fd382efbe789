import { deadLetterTopicFor, TOPICS } from '@faultline/contracts';
import { createKafka, createTopics, TopicSpec } from '@faultline/kafka';
import { label, StackLog } from './stack-config';

/**
 * Every topic the pipeline uses, with its partition count: the one list both the Kafka mock
 * launcher and topic creation on a real cluster read. Partition counts are generous because the
 * mock keeps only about 5 MB per partition in memory; dead-letter topics carry little traffic.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: TOPICS.errorSpans, numPartitions: 24 },
  { topic: TOPICS.occurrences, numPartitions: 24 },
  { topic: TOPICS.issueEvents, numPartitions: 8 },
  { topic: deadLetterTopicFor(TOPICS.errorSpans), numPartitions: 4 },
  { topic: deadLetterTopicFor(TOPICS.occurrences), numPartitions: 4 },
];

/** `name:partitions` arguments for infra/kafka-mock/mock-cluster.c. */
export function mockTopicArguments(specs: readonly TopicSpec[] = TOPIC_SPECS): string[] {
  return specs.map((spec) => `${spec.topic}:${spec.numPartitions}`);
}

/**
 * Creates missing topics on a real cluster (KAFKA_BROKERS set). Not used against the mock: its
 * CreateTopics does not work with kafkajs, so the launcher creates them itself.
 */
export async function ensureTopicsOnCluster(brokers: string, log: StackLog): Promise<void> {
  const kafka = createKafka({ brokers: brokers.split(',').map((broker) => broker.trim()), clientId: 'faultline-local-stack' });
  const created = await createTopics(kafka, [...TOPIC_SPECS]);
  log(created.length > 0 ? `${label('kafka')}created topics ${created.join(', ')}` : `${label('kafka')}topics already exist`);
}
