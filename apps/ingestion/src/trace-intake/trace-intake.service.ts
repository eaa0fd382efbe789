import { Inject, Injectable, Optional } from '@nestjs/common';
import { DEFAULT_TENANT, type ErrorSpanMessage } from '@faultline/contracts';
import { type DropReason, selectErrorSpansWithHistory, toErrorSpanMessage } from '@faultline/domain';
import { datadogTraceToSpans, decodeDatadogV04, decodeDatadogV05, DEFAULT_INTAKE_LIMITS, type DatadogTrace, type IntakeLimits, UNNAMED_SERVICE } from '@faultline/intake';
import { SpanPublisher } from '../publishing/span-publisher';
import { IngestionMetrics } from './ingestion-metrics';
import { RecentSpans } from './recent-spans';

/** What the Datadog request said about its sender, besides the body (from `Datadog-*` headers). */
export interface DatadogRequestInfo {
  contentType: string | undefined;
  /** Milliseconds since the epoch when the request arrived. */
  receivedAt: number;
  containerId?: string;
  language?: string;
  languageVersion?: string;
  tracerVersion?: string;
}

export interface IntakeOutcome {
  kept: number;
  dropped: Partial<Record<DropReason, number>>;
}

/** The intake limits of the app (spans per payload, field lengths), from the config. */
export const INTAKE_LIMITS = Symbol('INTAKE_LIMITS');

const DATADOG_V04 = 'datadog-v0.4' as const;
const DATADOG_V05 = 'datadog-v0.5' as const;
type DatadogProtocol = typeof DATADOG_V04 | typeof DATADOG_V05;

/**
 * decode -> select -> build messages -> publish, for one request. Throws IntakeError for a body that
 * cannot be accepted (nothing is published then) and SpanPublishError when Kafka did not take the spans.
 */
@Injectable()
export class TraceIntakeService {
  constructor(
    private readonly publisher: SpanPublisher,
    private readonly metrics: IngestionMetrics,
    /** Split traces (see RecentSpans): shared with the OTLP intake in the app. */
    @Optional() private readonly recentSpans: RecentSpans = new RecentSpans(),
    @Optional() @Inject(INTAKE_LIMITS) private readonly limits: IntakeLimits = DEFAULT_INTAKE_LIMITS,
  ) {
    metrics.initialise(DATADOG_V04);
    metrics.initialise(DATADOG_V05);
  }

  async ingestDatadogV04(body: Buffer, request: DatadogRequestInfo): Promise<IntakeOutcome> {
    return this.ingestDatadog(DATADOG_V04, decodeDatadogV04(body, request.contentType, this.limits), request);
  }

  /** v0.5 differs from v0.4 only on the wire: the decoded traces take the same path. */
  async ingestDatadogV05(body: Buffer, request: DatadogRequestInfo): Promise<IntakeOutcome> {
    return this.ingestDatadog(DATADOG_V05, decodeDatadogV05(body, request.contentType, this.limits), request);
  }

  private async ingestDatadog(protocol: DatadogProtocol, traces: DatadogTrace[], request: DatadogRequestInfo): Promise<IntakeOutcome> {
    const { messages, dropped } = buildErrorSpanMessages(traces, protocol, request, this.recentSpans);
    for (const trace of traces) {
      for (const span of trace) this.recentSpans.rememberService(span.trace_id.toString(), span.span_id.toString(), span.service || UNNAMED_SERVICE);
    }
    await this.publisher.publish(messages);
    // Counted after publishing, so `kept` means "in Kafka".
    this.metrics.recordKept(protocol, messages.length);
    this.metrics.recordDropped(protocol, dropped);
    return { kept: messages.length, dropped };
  }
}

function buildErrorSpanMessages(traces: DatadogTrace[], protocol: DatadogProtocol, request: DatadogRequestInfo, recentSpans: RecentSpans): { messages: ErrorSpanMessage[]; dropped: Partial<Record<DropReason, number>> } {
  const messages: ErrorSpanMessage[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  const context = {
    tenant: DEFAULT_TENANT,
    receivedAt: request.receivedAt,
    protocol,
    containerId: request.containerId,
    language: request.language,
    languageVersion: request.languageVersion,
    tracerVersion: request.tracerVersion,
  };
  for (const trace of traces) {
    // Most traces have no error at all: skip building span models for them.
    if (!trace.some((span) => span.error !== 0)) {
      if (trace.length > 0) dropped.not_error = (dropped.not_error ?? 0) + trace.length;
      continue;
    }
    const selection = selectErrorSpansWithHistory(datadogTraceToSpans(trace), (traceId, spanId) => recentSpans.serviceOf(traceId, spanId));
    for (const span of selection.kept) messages.push(toErrorSpanMessage(span, context));
    for (const [reason, count] of Object.entries(selection.dropped) as Array<[DropReason, number]>) {
      dropped[reason] = (dropped[reason] ?? 0) + count;
    }
  }
  return { messages, dropped };
}
