import { IssueChange, IssueEventMessage, IssueRecord, IssueStatus } from '@faultline/contracts';

/**
 * The authoritative issue state and its history; `IssueStateStore` (@faultline/redis) implements it.
 * Every method answers null when the tenant has no such issue.
 */
export interface IssueStateAdmin {
  /** `change` is null when the issue already had `status` (nothing recorded). */
  updateStatus(
    tenant: string,
    issueId: string,
    status: IssueStatus,
    actor: string,
    nowMs: number,
  ): Promise<{ record: IssueRecord; change: IssueChange | null } | null>;
  /** `assignee` null unassigns; assigning a FOR_REVIEW issue also moves it to REVIEWED (two changes). */
  assign(tenant: string, issueId: string, assignee: string | null, actor: string, nowMs: number): Promise<{ record: IssueRecord; changes: IssueChange[] } | null>;
  /** Each issue's history, oldest first; empty for an unknown issue. One round trip for the page. */
  historyOf(tenant: string, issueIds: readonly string[]): Promise<Map<string, IssueChange[]>>;
}

/** The ClickHouse projection the lists read; `IssueRepository` implements it. */
export interface IssueProjectionWriter {
  upsert(records: readonly IssueRecord[]): Promise<void>;
}

/** Sends issue events to the `issue-events` topic; resolves once they are durably written. */
export interface IssueEventPublisher {
  publish(events: readonly IssueEventMessage[]): Promise<void>;
}

export const ISSUE_STATE = Symbol('ISSUE_STATE');
export const ISSUE_PROJECTION = Symbol('ISSUE_PROJECTION');
export const ISSUE_EVENT_PUBLISHER = Symbol('ISSUE_EVENT_PUBLISHER');
