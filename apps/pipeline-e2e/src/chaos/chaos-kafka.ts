/**
 * The chaos stack's Kafka seen from outside, as an operator's tools see it: committed offsets of the
 * workers' consumer groups and the topics' end offsets. Only the APIs the librdkafka mock serves
 * (OffsetFetch, ListOffsets, Produce, Fetch; not DescribeGroups or an admin OffsetCommit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';

/** A client of the chaos stack's Kafka; the mock's ports change when it restarts, so they are read now. */
export function chaosKafka(clientId: string): Kafka {
  const bootstrap = fs.readFileSync(path.join(process.env.FAULTLINE_HOME as string, 'kafka.bootstrap'), 'utf8').trim();
  return new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
}

/** Sum over the topic's partitions of the group's committed offsets (a partition never committed counts 0). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

/** Sum over the topic's partitions of the end offsets: every message ever produced to it. */
export async function endTotal(admin: Admin, topic: string): Promise<number> {
  const partitions = await admin.fetchTopicOffsets(topic);
  return partitions.reduce((sum, { high }) => sum + Number(high), 0);
}
