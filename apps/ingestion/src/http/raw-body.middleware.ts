import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

export const MAX_BODY_BYTES = Symbol('MAX_BODY_BYTES');

/**
 * Reads the body as raw bytes, whatever the content type: the decoder picks msgpack or JSON itself
 * and answers 415 for anything else, and Nest's JSON parser would turn u64 ids into rounded numbers.
 * Body errors (too large, aborted) are answered here as JSON, since they happen before any route.
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  private readonly readRaw: RequestHandler;

  constructor(@Inject(MAX_BODY_BYTES) private readonly maxBodyBytes: number) {
    this.readRaw = express.raw({ type: () => true, limit: maxBodyBytes });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    void this.readRaw(request, response, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const status = bodyErrorStatus(error);
      const message = status === 413 ? `body exceeds ${this.maxBodyBytes} bytes` : `body: ${(error as Error).message}`;
      response.status(status).json({ error: message });
    });
  }
}

function bodyErrorStatus(error: unknown): number {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 400;
}
