import { IssueOccurrence, IssueStateStore, RecordedIssue } from '@faultline/redis';
import { IssueHourlyCountsRepository, IssueRepository, OccurrenceRepository, toOccurrenceRow } from '@faultline/clickhouse';
import { IssueRecord, OccurrenceMessage } from '@faultline/contracts';
import { issueIdFor, toIssueEvent, trackedValues } from '@faultline/domain';
import { IssueEventPublisher } from './issue-event.publisher';

/**
 * Stores a batch of occurrences and brings their issues up to date. The order makes redelivery safe:
 * 1. occurrence rows into ClickHouse (ReplacingMergeTree on the deterministic occurrence id: a repeated
 *    insert collapses, and reads deduplicate before merges);
 * 2. the Redis script counts each occurrence id once within the dedupe window and returns every touched
 *    issue's state, even when nothing in the batch was new;
 * 3. those states into the ClickHouse issue projection (highest revision wins), and the absolute
 *    counts of the batch's hours into `issue_hourly_counts` (largest wins);
 * 4. the workflow changes the script recorded (created, regressed) to `issue-events`, then their
 *    acknowledgement in the Redis outbox.
 * A crash anywhere before the offset commit replays all steps with the same outcome. Events are
 * at-least-once: the Redis outbox keeps a change until step 4 acknowledged it, so a failed publish is
 * retried by the redelivery (which changes nothing else), and a crash between the publish and the
 * acknowledgement publishes it again. Monitors deduplicate by (issueId, change.atMs, change.action).
 */
export class RecordOccurrencesUseCase {
  constructor(
    private readonly occurrences: OccurrenceRepository,
    private readonly issueState: IssueStateStore,
    private readonly issues: IssueRepository,
    private readonly events: IssueEventPublisher,
    private readonly hourlyCounts: IssueHourlyCountsRepository,
    private readonly dedupeWindowHours: number,
  ) {}

  async execute(messages: readonly OccurrenceMessage[]): Promise<IssueRecord[]> {
    if (messages.length === 0) return [];
    const assigned = messages.map((message) => ({ message, issueId: issueIdFor(message.tenant, message.service, message.fingerprint) }));
    await this.occurrences.insert(assigned.map(({ message, issueId }) => toOccurrenceRow(message, issueId)));
    const recorded = await this.issueState.recordOccurrences(assigned.map(toIssueOccurrence), this.dedupeWindowHours);
    const records = recorded.map((issue) => issue.record);
    await Promise.all([
      this.issues.upsert(records),
      this.hourlyCounts.insert(
        recorded.flatMap(({ record, hourlyCounts }) => hourlyCounts.map(({ hourStartMs, count }) => ({ tenant: record.tenant, issueId: record.issueId, hourStartMs, count }))),
      ),
    ]);

    const withEvents = recorded.filter((issue) => issue.unpublished.length > 0);
    if (withEvents.length > 0) {
      await this.events.publish(withEvents.flatMap((issue) => issue.unpublished.map(({ change }) => toIssueEvent(issue.record, change))));
      await this.issueState.acknowledgePublished(withEvents.map(acknowledgement));
    }
    return records;
  }
}

function acknowledgement({ record, unpublished }: RecordedIssue): { tenant: string; issueId: string; tokens: string[] } {
  return { tenant: record.tenant, issueId: record.issueId, tokens: unpublished.map(({ token }) => token) };
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
    values: trackedValues(message),
  };
}
