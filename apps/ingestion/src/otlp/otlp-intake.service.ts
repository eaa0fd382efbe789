import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DEFAULT_TENANT } from '@faultline/contracts';
import { selectOtelErrorSpans, toErrorSpanMessage } from '@faultline/domain';
import { decodeOtlpTraces, DEFAULT_INTAKE_LIMITS, type IntakeLimits, type OtlpPartialSuccess, otlpPartialSuccessOf } from '@faultline/intake';
import { SpanPublisher } from '../publishing/span-publisher';
import { type IngestionDropReason, IngestionMetrics } from '../trace-intake/ingestion-metrics';
import { RecentSpans } from '../trace-intake/recent-spans';
import { INTAKE_LIMITS, type IntakeOutcome } from '../trace-intake/trace-intake.service';

const OTLP = 'otlp' as const;

export interface OtlpIntakeOutcome extends IntakeOutcome {
  dropped: Partial<Record<IngestionDropReason, number>>;
  /** Spans rejected on their own (bad field) while the others were taken; the response says so. */
  partialSuccess?: OtlpPartialSuccess;
}

export interface OtlpRequestInfo {
  contentType: string | undefined;
  /** Milliseconds since the epoch when the request arrived. */
  receivedAt: number;
}

/**
 * `POST /v1/traces`: decode -> OTel error rule -> build messages -> publish, for one export request
 * (body already decompressed). Spans with a bad field are left out, counted as dropped `invalid`
 * and reported in `partialSuccess`. Throws IntakeError for a body that cannot be accepted, which
 * includes one whose every span was rejected (nothing is published then), and SpanPublishError when
 * Kafka did not take the spans.
 */
@Injectable()
export class OtlpIntakeService {
  private readonly logger = new Logger(OtlpIntakeService.name);

  constructor(
    private readonly publisher: SpanPublisher,
    private readonly metrics: IngestionMetrics,
    private readonly recentSpans: RecentSpans,
    @Optional() @Inject(INTAKE_LIMITS) private readonly limits: IntakeLimits = DEFAULT_INTAKE_LIMITS,
  ) {
    metrics.initialise(OTLP);
  }

  async ingestTraces(body: Buffer, request: OtlpRequestInfo): Promise<OtlpIntakeOutcome> {
    const { spans, rejectedSpans } = decodeOtlpTraces(body, request.contentType, this.limits);
    const { kept, dropped, unattributed } = selectOtelErrorSpans(spans, this.recentSpans);
    // Remembered before publishing: a retried export finds its own spans in the request anyway.
    for (const span of spans) this.recentSpans.rememberService(span.traceId, span.spanId, span.service);
    for (const pending of unattributed) this.recentSpans.rememberExceptionBelow(pending);

    const context = { tenant: DEFAULT_TENANT, receivedAt: request.receivedAt, protocol: OTLP };
    const messages = kept.map((span) => toErrorSpanMessage(span, context));
    await this.publisher.publish(messages);
    // Counted after publishing, so `kept` means "in Kafka".
    this.metrics.recordKept(OTLP, messages.length);
    const droppedWithInvalid: OtlpIntakeOutcome['dropped'] = rejectedSpans.length > 0 ? { ...dropped, invalid: rejectedSpans.length } : dropped;
    this.metrics.recordDropped(OTLP, droppedWithInvalid);
    const partialSuccess = otlpPartialSuccessOf(rejectedSpans);
    if (partialSuccess) this.logger.warn(`partially accepted OTLP export: ${partialSuccess.errorMessage}`);
    return { kept: messages.length, dropped: droppedWithInvalid, partialSuccess };
  }
}
