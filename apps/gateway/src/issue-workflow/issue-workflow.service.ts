import pLimit from 'p-limit';
import { IssueChange, IssueEventMessage, IssueRecord, IssueStatus } from '@faultline/contracts';
import { toIssueEvent } from '@faultline/domain';
import { IssueListFilter, IssueReader, IssueSort } from '../graphql/issue-reader.port';
import { IssueEventPublisher, IssueProjectionWriter, IssueStateAdmin } from './issue-workflow.port';

/** At most this many issues change in one bulk update; a filter matching more is refused before any change. */
export const BULK_UPDATE_CAP = 1000;
/** The order bulk updates apply and answer in: the default list order. */
const BULK_ORDER: IssueSort = { field: 'LAST_SEEN', direction: 'DESC' };
/** Redis calls of a bulk update in flight at once. */
const BULK_CONCURRENCY = 16;

export class IssueNotFoundError extends Error {
  constructor(readonly issueId: string) {
    super(`no issue with id ${issueId}`);
    this.name = 'IssueNotFoundError';
  }
}

export class TooManyIssuesError extends Error {
  constructor(
    readonly matching: number,
    readonly cap: number,
  ) {
    super(`the filter matches ${matching} issues; a bulk update changes at most ${cap}: narrow the filter`);
    this.name = 'TooManyIssuesError';
  }
}

/**
 * Triage changes made by people (status, assignee). Each one goes: the authoritative state (Redis, which
 * also records the history entry) -> the ClickHouse projection (so lists show it at once, without
 * waiting for the issue's next occurrence) -> `issue-events` (for monitors). A failure after the state
 * write fails the mutation; retrying it is safe (the state is already there, so nothing is recorded
 * twice), but the events of that first attempt are lost. Acceptable until monitors exist; an outbox
 * would close the gap.
 */
export class IssueWorkflow {
  constructor(
    private readonly state: IssueStateAdmin,
    private readonly projection: IssueProjectionWriter,
    private readonly reader: IssueReader,
    private readonly events: IssueEventPublisher,
    private readonly now: () => number = Date.now,
  ) {}

  async updateStatus(tenant: string, issueId: string, status: IssueStatus, actor: string): Promise<IssueRecord> {
    const result = await this.state.updateStatus(tenant, issueId, status, actor, this.now());
    if (!result) throw new IssueNotFoundError(issueId);
    await this.project([result.record], result.change ? [toIssueEvent(result.record, result.change)] : []);
    return result.record;
  }

  /**
   * Every issue the filter matches (as `issues` lists them), in the default list order, read in one
   * query. Refused with TooManyIssuesError when more than BULK_UPDATE_CAP match.
   */
  async updateStatuses(tenant: string, filter: IssueListFilter, status: IssueStatus, actor: string): Promise<IssueRecord[]> {
    const issueIds = await this.matchingIssueIds(tenant, filter);
    const nowMs = this.now();
    const limit = pLimit(BULK_CONCURRENCY);
    const results = await Promise.all(issueIds.map((issueId) => limit(() => this.state.updateStatus(tenant, issueId, status, actor, nowMs))));
    // An issue that vanished from Redis between the list and the update is left out.
    const updated = results.filter((result) => result !== null);
    await this.project(
      updated.map((result) => result.record),
      updated.flatMap((result) => (result.change ? [toIssueEvent(result.record, result.change)] : [])),
    );
    return updated.map((result) => result.record);
  }

  async assign(tenant: string, issueId: string, assignee: string | null, actor: string): Promise<IssueRecord> {
    const result = await this.state.assign(tenant, issueId, assignee, actor, this.now());
    if (!result) throw new IssueNotFoundError(issueId);
    await this.project([result.record], result.changes.map((change) => toIssueEvent(result.record, change)));
    return result.record;
  }

  historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>> {
    return this.state.historyOf(tenant, issueIds);
  }

  private async project(records: IssueRecord[], events: IssueEventMessage[]): Promise<void> {
    await this.projection.upsert(records);
    if (events.length > 0) await this.events.publish(events);
  }

  private async matchingIssueIds(tenant: string, filter: IssueListFilter): Promise<string[]> {
    // One more than the cap tells "too many" apart from "exactly the cap".
    const { ids, totalCount } = await this.reader.orderedIssueIds(tenant, filter, BULK_ORDER, this.now(), BULK_UPDATE_CAP + 1);
    if (totalCount > BULK_UPDATE_CAP) throw new TooManyIssuesError(totalCount, BULK_UPDATE_CAP);
    return ids;
  }
}
