import { IssueChange, IssueEventMessage, IssueRecord } from '@faultline/contracts';

/** `issue-event/v1` for one change of an issue, carrying the issue's identity as of its current state. */
export function toIssueEvent(record: IssueRecord, change: IssueChange): IssueEventMessage {
  return {
    schema: 'issue-event/v1',
    tenant: record.tenant,
    issueId: record.issueId,
    service: record.service,
    fingerprint: record.fingerprint,
    errorType: record.errorType,
    change,
  };
}
