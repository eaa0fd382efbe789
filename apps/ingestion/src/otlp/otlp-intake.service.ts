import { Injectable } from '@nestjs/common';
import { DEFAULT_TENANT } from '@faultline/contracts';
import { selectOtelErrorSpans, toErrorSpanMessage } from '@faultline/domain';
import { decodeOtlpTraces } from '@faultline/intake';
import { SpanPublisher } from '../publishing/span-publisher';
import { IngestionMetrics } from '../trace-intake/ingestion-metrics';
import { RecentSpans } from '../trace-intake/recent-spans';
import type { IntakeOutcome } from '../trace-intake/trace-intake.service';

const OTLP = 'otlp' as const;

export interface OtlpRequestInfo {
  contentType: string | undefined;
  /** Milliseconds since the epoch when the request arrived. */
  receivedAt: number;
}

/**
 * `POST /v1/traces`: decode -> OTel error rule -> build messages -> publish, for one export request
 * (body already decompressed). Throws IntakeError for a body that cannot be accepted (nothing is
 * published then) and SpanPublishError when Kafka did not take the spans.
 */
@Injectable()
export class OtlpIntakeService {
  constructor(
    private readonly publisher: SpanPublisher,
    private readonly metrics: IngestionMetrics,
    private readonly recentSpans: RecentSpans,
  ) {
    metrics.initialise(OTLP);
  }

  async ingestTraces(body: Buffer, request: OtlpRequestInfo): Promise<IntakeOutcome> {
    const spans = decodeOtlpTraces(body, request.contentType);
    const { kept, dropped, unattributed } = selectOtelErrorSpans(spans, this.recentSpans);
    // Remembered before publishing: a retried export finds its own spans in the request anyway.
    for (const span of spans) this.recentSpans.rememberService(span.traceId, span.spanId, span.service);
    for (const pending of unattributed) this.recentSpans.rememberExceptionBelow(pending);

    const context = { tenant: DEFAULT_TENANT, receivedAt: request.receivedAt, protocol: OTLP };
    const messages = kept.map((span) => toErrorSpanMessage(span, context));
    await this.publisher.publish(messages);
    // Counted after publishing, so `kept` means "in Kafka".
    this.metrics.recordKept(OTLP, messages.length);
    this.metrics.recordDropped(OTLP, dropped);
    return { kept: messages.length, dropped };
  }
}
