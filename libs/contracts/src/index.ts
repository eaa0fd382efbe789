export * from './topics';
export * from './stack-frame';
export * from './error-span.message';
export * from './occurrence.message';
export * from './message-codec';
export * from './issue-record';
export * from './grouping-config';
export * from './issue-event.message';
import { errorSpanMessageSchema } from './error-span.message';
import { occurrenceMessageSchema } from './occurrence.message';
import { jsonCodec } from './message-codec';
import { issueEventMessageSchema } from './issue-event.message';

export const errorSpanCodec = jsonCodec(errorSpanMessageSchema);
export const occurrenceCodec = jsonCodec(occurrenceMessageSchema);
export const issueEventCodec = jsonCodec(issueEventMessageSchema);
