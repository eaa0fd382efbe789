import { encodeOtlpStatus, otlpEncodingOf, type OtlpResponseBody } from '@faultline/intake';
import type { Request, Response } from 'express';

/** Limits of the OTLP/HTTP intake, from the ingestion config. */
export interface OtlpHttpOptions {
  /** Largest body accepted as sent, in bytes. */
  maxBodyBytes: number;
  /** Largest body once gzip is undone, in bytes. */
  maxDecompressedBytes: number;
  /** Export requests handled at once; more are answered 429 so the exporter backs off. */
  maxConcurrentRequests: number;
}
export const OTLP_HTTP_OPTIONS = Symbol('OTLP_HTTP_OPTIONS');

/**
 * Seconds the exporter should wait before retrying a 429 or 503. The OTel exporters honour
 * `Retry-After` (and retry these two statuses only), within their overall export timeout.
 */
export const RETRY_AFTER_SECONDS = 1;

export function sendOtlpBody(response: Response, status: number, { contentType, body }: OtlpResponseBody): void {
  response.status(status).type(contentType).send(body);
}

/**
 * Answers with a `google.rpc.Status` in the encoding of the request (JSON when the request's own
 * content type is not an OTLP one), as OTLP/HTTP prescribes for errors.
 */
export function sendOtlpError(request: Request, response: Response, status: number, grpcCode: number, message: string, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
  sendOtlpBody(response, status, encodeOtlpStatus(otlpEncodingOf(request.headers['content-type']) ?? 'json', grpcCode, message));
}
