import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorSpanMessageSchema } from '@faultline/contracts';
import { selectErrorSpans, selectOtelErrorSpans, toErrorSpanMessage } from '@faultline/domain';
import { datadogTraceToSpans } from './datadog/datadog-span.mapper';
import { decodeDatadogV04 } from './datadog/decode-datadog-v04';
import { decodeOtlpTraces } from './otlp/decode-otlp-traces';

/**
 * `traceIdHex` of the error-span messages built from the captured tracer payloads: the same W3C form
 * (32 lowercase hex) whichever protocol carried the trace, while `traceId` keeps each protocol's decimal.
 */
const fixtures = join(__dirname, '__fixtures__');
const context = { tenant: 'default', receivedAt: 1795571501300 };

describe('traceIdHex of error-span messages from captured payloads', () => {
  it('dd-trace 5 (v0.4): _dd.p.tid, then the 64-bit trace_id as 16 hex; traceId stays the decimal as sent', () => {
    const traces = decodeDatadogV04(readFileSync(join(fixtures, 'dd-trace-v04.payload.msgpack')), 'application/msgpack');
    const captured = JSON.parse(readFileSync(join(fixtures, 'dd-trace-v04.json'), 'utf8')) as Array<Array<{ trace_id: string; meta: Record<string, string> }>>;
    expect(captured[0][0]).toMatchObject({ trace_id: '3983546689382542143', meta: { '_dd.p.tid': '6b063f2d00000000' } });

    const messages = traces.flatMap((trace) => selectErrorSpans(datadogTraceToSpans(trace)).kept).map((span) => toErrorSpanMessage(span, { ...context, protocol: 'datadog-v0.4' }));

    expect(messages.map((message) => [message.traceId, message.traceIdHex])).toEqual([
      ['777891375745167655', `6b063f2d00000000${(777891375745167655n).toString(16).padStart(16, '0')}`],
      ['3983546689382542143', `6b063f2d00000000${(3983546689382542143n).toString(16).padStart(16, '0')}`],
      ['6405301015374809313', `6b063f2d00000000${(6405301015374809313n).toString(16).padStart(16, '0')}`],
    ]);
    expect(messages[1].traceIdHex).toBe('6b063f2d000000003748669bb6d46b3f');
    for (const message of messages) {
      expect(errorSpanMessageSchema.parse(message)).toEqual(message);
      expect(message.tags).not.toHaveProperty('_dd.p.tid');
    }
  });

  it('OpenTelemetry Node SDK (OTLP JSON): the trace id exactly as received; traceId its 128-bit decimal', () => {
    const body = readFileSync(join(fixtures, 'otlp', 'otlp-json.json'));
    const raw = JSON.parse(body.toString('utf8')) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string }> }> }> };
    const receivedTraceIdBySpanId = new Map(raw.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => [BigInt(`0x${span.spanId}`).toString(), span.traceId] as const))));

    const messages = selectOtelErrorSpans(decodeOtlpTraces(body, 'application/json').spans).kept.map((span) => toErrorSpanMessage(span, { ...context, protocol: 'otlp' }));

    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatchObject({ traceIdHex: 'b4392ea27e38af1ca3366ad20a6fbdae', traceId: BigInt('0xb4392ea27e38af1ca3366ad20a6fbdae').toString() });
    for (const message of messages) {
      expect(message.traceIdHex).toBe(receivedTraceIdBySpanId.get(message.spanId)?.toLowerCase());
      expect(message.traceId).toBe(BigInt(`0x${message.traceIdHex}`).toString());
      expect(errorSpanMessageSchema.parse(message)).toEqual(message);
    }
  });
});
