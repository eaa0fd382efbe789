import { Injectable } from '@nestjs/common';
import type { ErrorSpanMessage } from '@faultline/contracts';
import { DROP_REASONS } from '@faultline/domain';
import { Counter, Registry } from '@faultline/observability';

type Protocol = ErrorSpanMessage['protocol'];

/**
 * The selection's reasons, plus `invalid`: a span the intake rejected on its own for a bad field
 * (OTLP partial success) before any selection.
 */
const INGESTION_DROP_REASONS = [...DROP_REASONS, 'invalid'] as const;
export type IngestionDropReason = (typeof INGESTION_DROP_REASONS)[number];

/** Span counters on the process registry served at /metrics. */
@Injectable()
export class IngestionMetrics {
  private readonly dropped: Counter<'reason' | 'protocol'>;
  private readonly kept: Counter<'protocol'>;

  constructor(registry: Registry) {
    this.dropped = new Counter({
      name: 'faultline_ingestion_spans_dropped_total',
      help: 'Spans received but not published as error spans, by reason',
      labelNames: ['reason', 'protocol'],
      registers: [registry],
    });
    this.kept = new Counter({
      name: 'faultline_ingestion_spans_kept_total',
      help: 'Service-entry error spans published to the error-spans topic',
      labelNames: ['protocol'],
      registers: [registry],
    });
  }

  /** Creates every series at zero, so rates and alerts work before the first span of a kind arrives. */
  initialise(protocol: Protocol): void {
    this.kept.inc({ protocol }, 0);
    for (const reason of INGESTION_DROP_REASONS) this.dropped.inc({ reason, protocol }, 0);
  }

  recordKept(protocol: Protocol, count: number): void {
    if (count > 0) this.kept.inc({ protocol }, count);
  }

  recordDropped(protocol: Protocol, dropped: Partial<Record<IngestionDropReason, number>>): void {
    for (const reason of INGESTION_DROP_REASONS) {
      const count = dropped[reason];
      if (count) this.dropped.inc({ reason, protocol }, count);
    }
  }
}
