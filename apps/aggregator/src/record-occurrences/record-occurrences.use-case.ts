import { IssueOccurrence, IssueStateStore } from '@faultline/redis';
import { IssueRepository, OccurrenceRepository, toOccurrenceRow } from '@faultline/clickhouse';
import { IssueRecord, OccurrenceMessage } from '@faultline/contracts';
import { issueIdFor } from '@faultline/domain';

/**
 * Stores a batch of occurrences and brings their issues up to date. The order makes redelivery safe:
 * 1. occurrence rows into ClickHouse (ReplacingMergeTree on the deterministic occurrence id: a repeated
 *    insert collapses, and reads deduplicate before merges);
 * 2. the Redis script counts each occurrence id once within the dedupe window and returns every touched
 *    issue's state, even when nothing in the batch was new;
 * 3. those states into the ClickHouse issue projection (highest revision wins).
 * A crash anywhere before the offset commit replays all three steps with the same outcome.
 */
export class RecordOccurrencesUseCase {
  constructor(
    private readonly occurrences: OccurrenceRepository,
    private readonly issueState: IssueStateStore,
    private readonly issues: IssueRepository,
    private readonly dedupeWindowHours: number,
  ) {}

  async execute(messages: readonly OccurrenceMessage[]): Promise<IssueRecord[]> {
    if (messages.length === 0) return [];
    const assigned = messages.map((message) => ({ message, issueId: issueIdFor(message.tenant, message.service, message.fingerprint) }));
    await this.occurrences.insert(assigned.map(({ message, issueId }) => toOccurrenceRow(message, issueId)));
    const records = await this.issueState.recordOccurrences(assigned.map(toIssueOccurrence), this.dedupeWindowHours);
    await this.issues.upsert(records);
    return records;
  }
}

function toIssueOccurrence({ message, issueId }: { message: OccurrenceMessage; issueId: string }): IssueOccurrence {
  return {
    tenant: message.tenant,
    issueId,
    occurrenceId: message.occurrenceId,
    fingerprint: message.fingerprint,
    fingerprintVersion: message.fingerprintVersion,
    service: message.service,
    env: message.env,
    version: message.version,
    errorType: message.errorType,
    errorMessage: message.errorMessage,
    messageTemplate: message.messageTemplate,
    culprit: message.culprit,
    timestampMs: message.timestampMs,
  };
}
