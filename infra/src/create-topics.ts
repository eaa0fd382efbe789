/**
 * Creates the pipeline's Kafka topics on a real cluster (the Helm chart's pre-install/pre-upgrade
 * hook, or by hand: `node -r ./infra/runtime/register-paths.js dist/infra/src/create-topics.js`).
 * Topics that already exist are left as they are: their partition count is never changed here.
 */
import { loadConfig } from '@faultline/config';
import { createKafka, createTopics, TopicSpec } from '@faultline/kafka';
import { CreateTopicsEnv, createTopicsEnvSchema } from './job-env';
import { TOPIC_SPECS } from './topics';

/** The topics to ensure: infra/src/topics.ts with the env's partition counts and replication factor. */
export function topicSpecsFor(env: Pick<CreateTopicsEnv, 'KAFKA_TOPIC_PARTITIONS' | 'KAFKA_TOPIC_REPLICATION_FACTOR'>): TopicSpec[] {
  const known = new Set(TOPIC_SPECS.map((spec) => spec.topic));
  const unknown = Object.keys(env.KAFKA_TOPIC_PARTITIONS).filter((topic) => !known.has(topic));
  if (unknown.length > 0) throw new Error(`KAFKA_TOPIC_PARTITIONS names unknown topics: ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
  return TOPIC_SPECS.map((spec) => ({
    topic: spec.topic,
    numPartitions: env.KAFKA_TOPIC_PARTITIONS[spec.topic] ?? spec.numPartitions,
    replicationFactor: env.KAFKA_TOPIC_REPLICATION_FACTOR,
  }));
}

async function main(): Promise<void> {
  const env = loadConfig(createTopicsEnvSchema);
  const specs = topicSpecsFor(env);
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-create-topics`,
    security: env,
    log: (level, message) => (level === 'error' || level === 'warn' ? console.error(message) : undefined),
  });
  const created = await createTopics(kafka, specs);
  console.log(created.length > 0 ? `created topics ${created.join(', ')}` : `all ${specs.length} topics already exist`);
}

// Run only as the entrypoint, so the spec can import topicSpecsFor.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
