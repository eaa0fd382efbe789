import { Injectable } from '@nestjs/common';
import { DEFAULT_TENANT, type ErrorSpanMessage } from '@faultline/contracts';
import { type DropReason, selectErrorSpans, toErrorSpanMessage } from '@faultline/domain';
import { datadogSpanToSpan, decodeDatadogV04, type DatadogTrace } from '@faultline/intake';
import { SpanPublisher } from '../publishing/span-publisher';
import { IngestionMetrics } from './ingestion-metrics';

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

const DATADOG_V04 = 'datadog-v0.4' as const;

/**
 * decode -> select -> build messages -> publish, for one request. Throws IntakeError for a body that
 * cannot be accepted (nothing is published then) and SpanPublishError when Kafka did not take the spans.
 */
@Injectable()
export class TraceIntakeService {
  constructor(
    private readonly publisher: SpanPublisher,
    private readonly metrics: IngestionMetrics,
  ) {
    metrics.initialise(DATADOG_V04);
  }

  async ingestDatadogV04(body: Buffer, request: DatadogRequestInfo): Promise<IntakeOutcome> {
    const traces = decodeDatadogV04(body, request.contentType);
    const { messages, dropped } = buildErrorSpanMessages(traces, request);
    await this.publisher.publish(messages);
    // Counted after publishing, so `kept` means "in Kafka".
    this.metrics.recordKept(DATADOG_V04, messages.length);
    this.metrics.recordDropped(DATADOG_V04, dropped);
    return { kept: messages.length, dropped };
  }
}

function buildErrorSpanMessages(traces: DatadogTrace[], request: DatadogRequestInfo): { messages: ErrorSpanMessage[]; dropped: Partial<Record<DropReason, number>> } {
  const messages: ErrorSpanMessage[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  const context = {
    tenant: DEFAULT_TENANT,
    receivedAt: request.receivedAt,
    protocol: DATADOG_V04,
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
    const selection = selectErrorSpans(trace.map(datadogSpanToSpan));
    for (const span of selection.kept) messages.push(toErrorSpanMessage(span, context));
    for (const [reason, count] of Object.entries(selection.dropped) as Array<[DropReason, number]>) {
      dropped[reason] = (dropped[reason] ?? 0) + count;
    }
  }
  return { messages, dropped };
}
