import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { GRPC_CODE } from '@faultline/intake';
import type { NextFunction, Request, Response } from 'express';
import { BodyReadError, readBoundedBody } from '../http/read-bounded-body';
import { OTLP_HTTP_OPTIONS, type OtlpHttpOptions, sendOtlpError } from './otlp-http';

/**
 * Reads an export request body into `request.body` as bytes: with or without `Content-Length` (the
 * JS exporters send chunked bodies), plain or `Content-Encoding: gzip`. The body on the wire is
 * bounded by `maxBodyBytes` and the decompressed body by `maxDecompressedBytes` (413), so a small
 * gzip bomb cannot inflate into memory; a body that is not valid gzip is a 400 (see readBoundedBody).
 */
@Injectable()
export class OtlpBodyMiddleware implements NestMiddleware {
  constructor(@Inject(OTLP_HTTP_OPTIONS) private readonly options: OtlpHttpOptions) {}

  use(request: Request, response: Response, next: NextFunction): void {
    readBoundedBody(request, response, this.options).then(
      (body) => {
        if (body === undefined) return;
        request.body = body;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof BodyReadError)) return next(error);
        sendOtlpError(request, response, error.status, GRPC_CODE.invalidArgument, error.message);
      },
    );
  }
}
