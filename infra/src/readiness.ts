import * as fs from 'node:fs';
import { isRunning } from './process-supervisor';

/** A dependency or service did not come up; the message carries the tail of its log. */
export class StackStartError extends Error {
  constructor(message: string, logFile?: string) {
    super(logFile ? `${message}\n--- last lines of ${logFile} ---\n${tailFile(logFile)}` : message);
    this.name = 'StackStartError';
  }
}

export function tailFile(file: string, lines = 40): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once, instead of at the timeout, when this process has exited. */
  pid?: number;
  /** Its tail goes into the error. */
  logFile?: string;
}

/** Polls `check` until it holds; throws a StackStartError with the log tail on exit or timeout. */
export async function waitUntil(description: string, check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  for (;;) {
    if (await check()) return;
    if (options.pid !== undefined && !isRunning(options.pid)) {
      throw new StackStartError(`${description}: the process (pid ${options.pid}) exited`, options.logFile);
    }
    if (Date.now() >= deadline) {
      throw new StackStartError(`${description}: not ready after ${Math.round(options.timeoutMs / 1000)} s`, options.logFile);
    }
    await sleep(interval);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
