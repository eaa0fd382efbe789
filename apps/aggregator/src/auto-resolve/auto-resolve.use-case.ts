import pLimit from 'p-limit';
import type { AutoResolveCandidate, AutoResolveQueries, CandidateCursor, IssueRepository } from '@faultline/clickhouse';
import type { IssueChange, IssueRecord } from '@faultline/contracts';
import {
  autoResolveDecision,
  inactiveDecision,
  newerVersionsSinceMs,
  supersedingVersion,
  toIssueEvent,
  type AutoResolveDecision,
  type AutoResolvePolicy,
  type ServiceVersion,
} from '@faultline/domain';
import type { IssueStateStore } from '@faultline/redis';
import type { IssueEventPublisher } from '../record-occurrences/issue-event.publisher';

const DAY_MS = 86_400_000;
/** Candidates read per page (one ClickHouse aggregation over the `issues` projection each). */
export const AUTO_RESOLVE_PAGE_SIZE = 1000;
/** Redis compare-and-set calls in flight at once. */
const RESOLVE_CONCURRENCY = 16;

export interface AutoResolveRunSummary {
  /** Open issues quiet long enough for either rule that the run looked at. */
  candidates: number;
  /** Issues this run resolved. */
  resolved: number;
  /** Issues decided for that Redis refused: an occurrence or a status change came first (or another replica). */
  refused: number;
}

/**
 * One auto-resolve pass over every tenant (the rule: `autoResolveDecision` in @faultline/domain).
 * Page by page, oldest last seen first:
 * 1. open issues quiet for at least the shorter of the two periods, from the ClickHouse projection;
 * 2. for those the inactivity rule does not already resolve, their services' versions (once per
 *    service per run) and, where a version supersedes theirs, the versions of their own occurrences;
 * 3. each decision goes through the Redis compare-and-set (`IssueStateStore.autoResolve`), which
 *    refuses if the issue got an occurrence or a status change since the projection was read, so
 *    several aggregator replicas may run this at once and a stale read never resolves a live issue;
 * 4. the new states into the projection, with the current state of refused issues (so a projection
 *    that fell behind Redis catches up), then the events to `issue-events`, then their acknowledgement.
 * A failed publish leaves the changes in the Redis outbox: they go out with the issue's next recorded
 * batch. The run throws on any failure; the next run starts over (resolved issues are no longer open).
 */
export class AutoResolveIssuesUseCase {
  constructor(
    private readonly queries: AutoResolveQueries,
    private readonly issueState: IssueStateStore,
    private readonly issues: IssueRepository,
    private readonly events: IssueEventPublisher,
    private readonly policy: AutoResolvePolicy,
    private readonly pageSize: number = AUTO_RESOLVE_PAGE_SIZE,
  ) {}

  async execute(nowMs: number): Promise<AutoResolveRunSummary> {
    const summary: AutoResolveRunSummary = { candidates: 0, resolved: 0, refused: 0 };
    const quietFor = this.policy.inactiveDays > 0 ? Math.min(this.policy.inactiveDays * DAY_MS, this.policy.versionGraceMs) : this.policy.versionGraceMs;
    const versionsByService = new Map<string, ServiceVersion[]>();
    let after: CandidateCursor | null = null;
    for (;;) {
      const page = await this.queries.openIssuesLastSeenBefore(nowMs - quietFor, { limit: this.pageSize, after });
      if (page.length === 0) break;
      summary.candidates += page.length;
      const decided = await this.decide(page, nowMs, versionsByService);
      const { resolved, refused } = await this.resolve(decided, nowMs);
      summary.resolved += resolved;
      summary.refused += refused;
      if (page.length < this.pageSize) break;
      const last = page[page.length - 1];
      after = { lastSeenMs: last.lastSeenMs, tenant: last.tenant, issueId: last.issueId };
    }
    return summary;
  }

  private async decide(
    page: readonly AutoResolveCandidate[],
    nowMs: number,
    versionsByService: Map<string, ServiceVersion[]>,
  ): Promise<{ candidate: AutoResolveCandidate; decision: AutoResolveDecision }[]> {
    const decided: { candidate: AutoResolveCandidate; decision: AutoResolveDecision }[] = [];
    const maybeSuperseded = page.filter((candidate) => {
      const inactive = inactiveDecision(candidate, nowMs, this.policy);
      if (inactive) decided.push({ candidate, decision: inactive });
      return !inactive && candidate.lastVersion !== null;
    });

    const missing = maybeSuperseded.filter((candidate) => !versionsByService.has(serviceKey(candidate)));
    if (missing.length > 0) {
      for (const candidate of missing) versionsByService.set(serviceKey(candidate), []);
      for (const row of await this.queries.serviceVersions(missing)) {
        versionsByService.get(serviceKey(row))?.push({ env: row.env, version: row.version, firstSeenMs: row.firstSeenMs });
      }
    }

    // Only issues a settled newer version could supersede need their own occurrences read.
    const byTenant = new Map<string, { candidate: AutoResolveCandidate; versions: ServiceVersion[]; sinceMs: number }[]>();
    for (const candidate of maybeSuperseded) {
      const versions = versionsByService.get(serviceKey(candidate)) ?? [];
      if (supersedingVersion(candidate, versions, nowMs, this.policy) === null) continue;
      const sinceMs = newerVersionsSinceMs(candidate, versions) as number; // a superseding version is a newer one
      const group = byTenant.get(candidate.tenant) ?? [];
      group.push({ candidate, versions, sinceMs });
      byTenant.set(candidate.tenant, group);
    }
    for (const [tenant, group] of byTenant) {
      const sinceMs = Math.min(...group.map((item) => item.sinceMs));
      const issueVersions = await this.queries.issueVersions(
        tenant,
        group.map(({ candidate }) => candidate.issueId),
        sinceMs,
      );
      for (const { candidate, versions } of group) {
        const decision = autoResolveDecision(candidate, versions, issueVersions.get(candidate.issueId) ?? [], nowMs, this.policy);
        if (decision) decided.push({ candidate, decision });
      }
    }
    return decided;
  }

  private async resolve(decided: readonly { candidate: AutoResolveCandidate; decision: AutoResolveDecision }[], nowMs: number): Promise<{ resolved: number; refused: number }> {
    if (decided.length === 0) return { resolved: 0, refused: 0 };
    const limit = pLimit(RESOLVE_CONCURRENCY);
    const outcomes = await Promise.all(decided.map(({ candidate, decision }) => limit(async () => {
      const result = await this.issueState.autoResolve(candidate.tenant, candidate.issueId, {
        expectedLastSeenMs: candidate.lastSeenMs,
        expectedCount: candidate.count,
        reason: decision.reason,
        nowMs,
      });
      // Refused: project the current state, in case the projection is what was behind.
      return result ?? { current: await this.issueState.findIssue(candidate.tenant, candidate.issueId) };
    })));
    const resolved = outcomes.filter((outcome): outcome is { record: IssueRecord; change: IssueChange; token: string } => 'change' in outcome);
    const current = outcomes.flatMap((outcome) => ('current' in outcome && outcome.current ? [outcome.current] : []));

    await this.issues.upsert([...resolved.map(({ record }) => record), ...current]);
    if (resolved.length > 0) {
      await this.events.publish(resolved.map(({ record, change }) => toIssueEvent(record, change)));
      await this.issueState.acknowledgePublished(resolved.map(({ record, token }) => ({ tenant: record.tenant, issueId: record.issueId, tokens: [token] })));
    }
    return { resolved: resolved.length, refused: decided.length - resolved.length };
  }
}

const serviceKey = ({ tenant, service }: { tenant: string; service: string }) => `${tenant}\u0000${service}`;
