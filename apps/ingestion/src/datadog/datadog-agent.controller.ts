import { Controller, Get, HttpCode, Post, Put, Req, UseFilters } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { IntakeErrorFilter } from '../http/intake-error.filter';
import { type DatadogRequestInfo, TraceIntakeService } from '../trace-intake/trace-intake.service';

interface TracesResponse {
  rate_by_service: Record<string, number>;
}

/** What `/info` advertises; tracers pick endpoints from this list, so it lists only what we serve. */
const ADVERTISED_ENDPOINTS = ['/v0.4/traces', '/v0.5/traces', '/info', '/telemetry/proxy/', '/dogstatsd/v2/proxy'];

/**
 * The subset of the Datadog trace-agent API that tracers (dd-trace) call. Besides traces, the
 * tracer's side channels are acknowledged and discarded so it does not log errors.
 */
@Controller()
@UseFilters(IntakeErrorFilter)
export class DatadogAgentController {
  constructor(private readonly intake: TraceIntakeService) {}

  @Put('v0.4/traces')
  @HttpCode(200)
  putTraces(@Req() request: Request): Promise<TracesResponse> {
    return this.acceptTraces(request, 'v0.4');
  }

  @Post('v0.4/traces')
  @HttpCode(200)
  postTraces(@Req() request: Request): Promise<TracesResponse> {
    return this.acceptTraces(request, 'v0.4');
  }

  /** dd-trace with `DD_TRACE_AGENT_PROTOCOL_VERSION=0.5`: msgpack with a string table. */
  @Put('v0.5/traces')
  @HttpCode(200)
  putTracesV05(@Req() request: Request): Promise<TracesResponse> {
    return this.acceptTraces(request, 'v0.5');
  }

  @Post('v0.5/traces')
  @HttpCode(200)
  postTracesV05(@Req() request: Request): Promise<TracesResponse> {
    return this.acceptTraces(request, 'v0.5');
  }

  /**
   * `client_drop_p0s: false` tells the tracer to send every trace, including those its sampler
   * rejected: an error in an unsampled request is still an occurrence.
   */
  @Get('info')
  info(): { version: string; endpoints: string[]; client_drop_p0s: boolean } {
    return { version: 'faultline-0.1.0', endpoints: ADVERTISED_ENDPOINTS, client_drop_p0s: false };
  }

  @Post('telemetry/proxy/*path')
  @HttpCode(202)
  telemetry(): void {
    // Tracer telemetry (heartbeats, integrations): accepted and discarded.
  }

  @Post('dogstatsd/v2/proxy')
  @HttpCode(202)
  dogstatsd(): void {
    // Runtime metrics over HTTP: accepted and discarded, Faultline tracks errors only.
  }

  /** dd-trace reads 404 as "remote configuration disabled" and stops asking quietly. */
  @Post('v0.7/config')
  @HttpCode(404)
  remoteConfig(): { error: string } {
    return { error: 'remote configuration is not supported' };
  }

  private async acceptTraces(request: Request, version: 'v0.4' | 'v0.5'): Promise<TracesResponse> {
    // Without a body express.raw leaves `body` unset; the decoder then rejects the empty payload.
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const info = datadogRequestInfo(request.headers);
    await (version === 'v0.5' ? this.intake.ingestDatadogV05(body, info) : this.intake.ingestDatadogV04(body, info));
    // An empty map keeps the tracer's own sampling rates; agent-driven rates are not implemented.
    return { rate_by_service: {} };
  }
}

function datadogRequestInfo(headers: IncomingHttpHeaders): DatadogRequestInfo {
  return {
    contentType: headers['content-type'],
    receivedAt: Date.now(),
    containerId: header(headers, 'datadog-container-id'),
    language: header(headers, 'datadog-meta-lang'),
    languageVersion: header(headers, 'datadog-meta-lang-version'),
    tracerVersion: header(headers, 'datadog-meta-tracer-version'),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}
