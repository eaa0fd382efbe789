import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { BodyReadError, type BodyLimits, readBoundedBody } from './read-bounded-body';

export const BODY_LIMITS = Symbol('BODY_LIMITS');

/**
 * Reads the body as raw bytes, whatever the content type: the decoder picks msgpack or JSON itself
 * and answers 415 for anything else, and Nest's JSON parser would turn u64 ids into rounded numbers.
 * Body errors (too large, bad encoding) are answered here as `{ "error": ... }`, since they happen
 * before any route; see readBoundedBody for the limits.
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  constructor(@Inject(BODY_LIMITS) private readonly limits: BodyLimits) {}

  use(request: Request, response: Response, next: NextFunction): void {
    // What express.raw inflated before; tracers send identity.
    readBoundedBody(request, response, this.limits, ['gzip', 'x-gzip', 'deflate']).then(
      (body) => {
        if (body === undefined) return;
        request.body = body;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof BodyReadError)) return next(error);
        response.status(error.status).json({ error: error.message });
      },
    );
  }
}
