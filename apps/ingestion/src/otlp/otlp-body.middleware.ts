import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { GRPC_CODE } from '@faultline/intake';
import type { NextFunction, Request, Response } from 'express';
import { gunzip } from 'node:zlib';
import { OTLP_HTTP_OPTIONS, type OtlpHttpOptions, sendOtlpError } from './otlp-http';

/**
 * Reads an export request body into `request.body` as bytes: with or without `Content-Length` (the
 * JS exporters send chunked bodies), plain or `Content-Encoding: gzip`. Both the body on the wire and
 * the decompressed body are bounded by `maxBodyBytes` (413), so a small gzip bomb cannot inflate into
 * memory; a body that is not valid gzip is a 400.
 */
@Injectable()
export class OtlpBodyMiddleware implements NestMiddleware {
  constructor(@Inject(OTLP_HTTP_OPTIONS) private readonly options: OtlpHttpOptions) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const { maxBodyBytes } = this.options;
    const contentEncoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (contentEncoding !== 'gzip' && contentEncoding !== 'identity') {
      return sendOtlpError(request, response, 415, GRPC_CODE.invalidArgument, `unsupported content encoding ${JSON.stringify(contentEncoding)}: expected gzip or none`);
    }
    const tooLarge = () => sendOtlpError(request, response, 413, GRPC_CODE.invalidArgument, `body exceeds ${maxBodyBytes} bytes`);
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) return tooLarge();

    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      // Answer now; Node discards the rest of the body once the response is sent.
      request.off('data', onData);
      request.off('end', onEnd);
      tooLarge();
    };
    const onEnd = () => {
      const body = Buffer.concat(chunks, received);
      if (contentEncoding === 'identity') return accept(body);
      gunzip(body, { maxOutputLength: maxBodyBytes }, (error, decompressed) => {
        if (!error) return accept(decompressed);
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge();
        sendOtlpError(request, response, 400, GRPC_CODE.invalidArgument, `body: invalid gzip: ${error.message}`);
      });
    };
    const accept = (body: Buffer) => {
      request.body = body;
      next();
    };
    request.on('data', onData);
    request.on('end', onEnd);
    // An aborted request has nobody left to answer.
    request.on('error', () => request.off('end', onEnd));
  }
}
