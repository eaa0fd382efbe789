import { z } from 'zod';
import { clickhouseEnv, kafkaEnv, kafkaEnvRules } from '@faultline/config';

/**
 * What the two one-shot commands read from the environment. They run as Helm hook Jobs before the
 * services start (helm/faultline/templates/hooks.yaml), and the chart tests parse the Jobs' rendered
 * env with these schemas, as they do the services' env with theirs.
 */

/** `npm run migrate` (dist/infra/src/migrate.js): the ClickHouse server and database to migrate. */
export const migrateEnvSchema = z.object(clickhouseEnv);
export type MigrateEnv = z.infer<typeof migrateEnvSchema>;

/** `name=count` pairs, comma-separated, e.g. `error-spans=48,occurrences=48`. */
const partitionOverrides = z
  .string()
  .default('')
  .transform((value, context) => {
    const overrides: Record<string, number> = {};
    for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const match = /^([A-Za-z0-9._-]+)=(\d+)$/.exec(item);
      if (!match || Number(match[2]) < 1) {
        context.addIssue({ code: 'custom', message: `"${item}" is not topic=partitions with partitions >= 1` });
        return z.NEVER;
      }
      overrides[match[1]] = Number(match[2]);
    }
    return overrides;
  });

/** dist/infra/src/create-topics.js: creates the pipeline's topics that do not exist yet. */
export const createTopicsEnvSchema = z.object({
  ...kafkaEnv,
  /** Replicas per partition of the topics created now; -1 leaves it to the broker's default.replication.factor. */
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(-1).default(-1).refine((value) => value !== 0, 'must be -1 or at least 1'),
  /** Partition counts that replace the defaults of infra/src/topics.ts for topics created now. */
  KAFKA_TOPIC_PARTITIONS: partitionOverrides,
}).check(kafkaEnvRules);
export type CreateTopicsEnv = z.infer<typeof createTopicsEnvSchema>;
