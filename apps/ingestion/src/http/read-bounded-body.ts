import type { Request, Response } from 'express';
import { gunzip, inflate } from 'node:zlib';

/** Limits on reading one request body, from the ingestion config. */
export interface BodyLimits {
  /** Bytes as sent (`INGESTION_MAX_BODY_BYTES`). */
  maxBodyBytes: number;
  /** Bytes once `Content-Encoding` is undone (`INGESTION_MAX_DECOMPRESSED_BYTES`). */
  maxDecompressedBytes: number;
}

/** Why a body was not read: the status and message to answer with. */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'BodyReadError';
  }
}

const DECOMPRESS: Record<string, typeof gunzip | undefined> = { gzip: gunzip, 'x-gzip': gunzip, deflate: inflate };

/**
 * Reads a request body into one Buffer, holding at most `maxBodyBytes` of it at any time:
 * - a `Content-Length` over the limit is refused before a byte is read; a chunked body as soon as
 *   it goes past it. Either way the answer goes out at once with `Connection: close`, so a client
 *   pushing 100 MB is cut off instead of being read to the end (and the rest is never buffered);
 * - `Content-Encoding` among `encodings` (gzip, x-gzip, deflate) is undone with `maxOutputLength`, so a gzip bomb stops at
 *   `maxDecompressedBytes` (413) without inflating further; invalid gzip is a 400; other encodings 415.
 * Resolves undefined when the client went away, since nobody is left to answer.
 */
export function readBoundedBody(request: Request, response: Response, limits: BodyLimits, encodings: readonly string[] = ['gzip']): Promise<Buffer | undefined> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
  const decompress = encodings.includes(encoding) ? DECOMPRESS[encoding] : undefined;
  if (!decompress && encoding !== 'identity') {
    return Promise.reject(closeAfter(response, new BodyReadError(415, `unsupported content encoding ${JSON.stringify(encoding)}: expected ${encodings.join(', ')} or none`)));
  }
  const tooLarge = () => closeAfter(response, new BodyReadError(413, `body exceeds ${limits.maxBodyBytes} bytes`));
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > limits.maxBodyBytes) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limits.maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      chunks.length = 0;
      // Nothing more is read into memory; the socket closes once the 413 is written.
      request.pause();
      reject(tooLarge());
    };
    const onEnd = () => {
      stop();
      const body = Buffer.concat(chunks, received);
      if (!decompress) return resolve(body);
      decompress(body, { maxOutputLength: limits.maxDecompressedBytes }, (error, decompressed) => {
        if (!error) return resolve(decompressed);
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          return reject(new BodyReadError(413, `body exceeds ${limits.maxDecompressedBytes} bytes once decompressed (${encoding})`));
        }
        reject(new BodyReadError(400, `body: invalid ${encoding}: ${error.message}`));
      });
    };
    const onError = () => {
      stop();
      resolve(undefined);
    };
    const onAborted = onError;
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

/** Asks Node to close the connection after this response: the rest of the body is not worth reading. */
function closeAfter(response: Response, error: BodyReadError): BodyReadError {
  if (!response.headersSent) response.setHeader('Connection', 'close');
  return error;
}
