import { z } from 'zod';

/** Why a message could not be decoded; the consumer runtime sends it to the dead-letter topic with this reason. */
export class InvalidMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidMessageError';
  }
}

/** JSON codec for a versioned message schema: encode on produce, decode-and-validate on consume. */
export interface MessageCodec<T> {
  encode(message: T): Buffer;
  decode(bytes: Buffer): T;
}

export function jsonCodec<S extends z.ZodType>(schema: S): MessageCodec<z.infer<S>> {
  return {
    encode: (message) => Buffer.from(JSON.stringify(message)),
    decode: (bytes) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw new InvalidMessageError(`not JSON: ${(error as Error).message}`);
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new InvalidMessageError(`invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      return result.data;
    },
  };
}
