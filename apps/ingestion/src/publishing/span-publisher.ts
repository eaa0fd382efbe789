import type { ErrorSpanMessage } from '@faultline/contracts';

/**
 * Where kept error spans go. A resolved `publish` means the messages are durable (Kafka acked them),
 * so ingestion only answers 200 to the tracer once that is true.
 */
export abstract class SpanPublisher {
  abstract publish(messages: ErrorSpanMessage[]): Promise<void>;
}

/** Publishing failed; the tracer gets a 503 so the payload is not silently lost. */
export class SpanPublishError extends Error {
  constructor(cause: unknown) {
    super(`could not publish error spans: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'SpanPublishError';
  }
}
