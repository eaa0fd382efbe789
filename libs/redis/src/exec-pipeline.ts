import type { Redis } from 'ioredis';

/** Runs a pipeline and answers its replies in order; the first failed command fails the call. */
export async function execPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
  const replies = await pipeline.exec();
  if (!replies) throw new Error('redis pipeline was discarded');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
