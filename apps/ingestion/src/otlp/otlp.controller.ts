import { Controller, Post, Req, Res, UseFilters } from '@nestjs/common';
import { encodeEmptyExportResponse, encodeExportTraceResponse, otlpEncodingOf } from '@faultline/intake';
import type { Request, Response } from 'express';
import { OtlpErrorFilter } from './otlp-error.filter';
import { sendOtlpBody } from './otlp-http';
import { OtlpIntakeService } from './otlp-intake.service';

/**
 * OTLP/HTTP (`/v1/traces`, the paths every OTel SDK and the Collector's otlphttp exporter append to
 * their endpoint). Served on the OTLP listener (4318) and, being the same express app, on the
 * Datadog port as well, where it is harmless.
 */
@Controller('v1')
@UseFilters(OtlpErrorFilter)
export class OtlpController {
  constructor(private readonly intake: OtlpIntakeService) {}

  /**
   * 200 with an ExportTraceServiceResponse once the error spans are in Kafka: empty, or with
   * `partial_success` (count and reasons) when some spans were rejected for a bad field.
   */
  @Post('traces')
  async traces(@Req() request: Request, @Res() response: Response): Promise<void> {
    const contentType = request.headers['content-type'];
    // The body middleware always sets it; an empty buffer is an empty export.
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const { partialSuccess } = await this.intake.ingestTraces(body, { contentType, receivedAt: Date.now() });
    // The decoder has rejected any other content type by now.
    sendOtlpBody(response, 200, encodeExportTraceResponse(otlpEncodingOf(contentType) ?? 'json', partialSuccess));
  }

  /** Metrics and logs are accepted and dropped, so an SDK exporting them too does not log errors. */
  @Post('metrics')
  metrics(@Req() request: Request, @Res() response: Response): void {
    sendOtlpBody(response, 200, encodeEmptyExportResponse(otlpEncodingOf(request.headers['content-type']) ?? 'json'));
  }

  @Post('logs')
  logs(@Req() request: Request, @Res() response: Response): void {
    sendOtlpBody(response, 200, encodeEmptyExportResponse(otlpEncodingOf(request.headers['content-type']) ?? 'json'));
  }
}
