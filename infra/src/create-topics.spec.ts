import { loadConfig } from '@faultline/config';
import { topicSpecsFor } from './create-topics';
import { createTopicsEnvSchema } from './job-env';
import { TOPIC_SPECS } from './topics';

const env = (vars: Record<string, string>) => loadConfig(createTopicsEnvSchema, { KAFKA_BROKERS: 'kafka:9092', ...vars });

describe('create-topics', () => {
  it('creates every topic of infra/src/topics.ts with the broker default replication factor by default', () => {
    expect(topicSpecsFor(env({}))).toEqual(TOPIC_SPECS.map((spec) => ({ ...spec, replicationFactor: -1 })));
  });

  it('applies partition overrides and the replication factor', () => {
    const specs = topicSpecsFor(env({ KAFKA_TOPIC_PARTITIONS: 'error-spans=48, occurrences=36', KAFKA_TOPIC_REPLICATION_FACTOR: '3' }));
    expect(specs.find((spec) => spec.topic === 'error-spans')).toEqual({ topic: 'error-spans', numPartitions: 48, replicationFactor: 3 });
    expect(specs.find((spec) => spec.topic === 'occurrences')?.numPartitions).toBe(36);
    expect(specs.find((spec) => spec.topic === 'issue-events')?.numPartitions).toBe(8);
  });

  it('refuses a typo in a topic name instead of silently creating the default', () => {
    expect(() => topicSpecsFor(env({ KAFKA_TOPIC_PARTITIONS: 'error_spans=48' }))).toThrow(/unknown topics: error_spans/);
  });

  it('refuses malformed overrides and a replication factor of 0', () => {
    expect(() => env({ KAFKA_TOPIC_PARTITIONS: 'error-spans' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
    expect(() => env({ KAFKA_TOPIC_PARTITIONS: 'error-spans=0' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
    expect(() => env({ KAFKA_TOPIC_REPLICATION_FACTOR: '0' })).toThrow(/KAFKA_TOPIC_REPLICATION_FACTOR/);
  });
});
