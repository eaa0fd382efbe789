import type { Admin, IHeaders, Kafka } from 'kafkajs';

/**
 * Test support for integration specs that run against the run's one broker (librdkafka's mock
 * cluster, or the real cluster in KAFKA_BROKERS). Every spec works on topics of its own, so test
 * files running in parallel never read each other's messages or offsets.
 */

/**
 * Creates topics and returns each one's partition count. A real cluster creates them through
 * CreateTopics. On librdkafka's mock cluster that request fails in kafkajs (it finds no controller),
 * but the mock creates any unknown topic a metadata request names (with 4 partitions): the metadata
 * fetch below is what creates them there.
 */
export async function createTestTopics(admin: Admin, topics: string[], numPartitions: number): Promise<Map<string, number>> {
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true, timeout: 5000 }).catch(() => undefined);
  const metadata = await admin.fetchTopicMetadata({ topics });
  const partitionCounts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  for (const topic of topics) {
    if (!partitionCounts.get(topic)) throw new Error(`topic ${topic} was not created`);
  }
  return partitionCounts;
}

/** The group's committed offset per partition (-1 when nothing was committed). */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(committed.partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
}

/** The next offset each partition will write (its log end). */
export async function logEndOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
}

const END_MARKER_KEY = 'x-test-end-of-log';

/**
 * Everything written to `topic` so far, without guessing how long to wait: first an end marker is
 * appended to every partition, then a fresh group reads from the beginning until it has seen every
 * marker. What came before the markers is the topic's content (markers are left out).
 */
export async function readWholeTopic(kafka: Kafka, topic: string, partitionCount: number, timeoutMs = 20_000): Promise<ReadMessage[]> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: partitionCount }, (_, partition) => ({ partition, key: END_MARKER_KEY, value: 'end' })),
    });
  } finally {
    await producer.disconnect();
  }

  const consumer = kafka.consumer({ groupId: `read-${topic}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}` });
  const messages: ReadMessage[] = [];
  const markersSeen = new Set<number>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${topic}: saw end markers of ${markersSeen.size} of ${partitionCount} partitions in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const key = message.key ? message.key.toString() : null;
            if (key === END_MARKER_KEY) {
              markersSeen.add(partition);
              if (markersSeen.size === partitionCount) {
                clearTimeout(timer);
                resolve();
              }
              return;
            }
            messages.push({ partition, offset: message.offset, key, value: message.value ?? Buffer.alloc(0), headers: headersAsText(message.headers) });
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) text[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return text;
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
