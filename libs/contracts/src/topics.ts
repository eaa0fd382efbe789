/** Kafka topics shared by every service. Names are part of the operational contract (charts, ACLs). */
export const TOPICS = {
  /** Error spans kept by ingestion (service-entry spans with error type, message and stack). */
  errorSpans: 'error-spans',
  /** Fingerprinted occurrences produced by the fingerprinter, consumed by the aggregator. */
  occurrences: 'occurrences',
  /** Issue state changes (created, regressed, status changed) emitted by the aggregator. */
  issueEvents: 'issue-events',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * The workers' consumer groups. Also part of the operational contract: KEDA scales on their lag, and
 * an operator resets their offsets (README "Dead letters").
 */
export const CONSUMER_GROUPS = {
  /** Consumes `error-spans`. */
  fingerprinter: 'faultline-fingerprinter',
  /** Consumes `occurrences`. */
  aggregator: 'faultline-aggregator',
} as const;

/** Messages that can never be processed go here with the reason and the original bytes. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.dlq`;
}

/** Only one tenant exists until multi-tenancy lands; every record carries it so keys need no migration. */
export const DEFAULT_TENANT = 'default';
