import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

/** Starts fixtures/<file> as its own process with the given environment; resolves once it listens. */
export function startInstrumentedApp(file: string, env: Record<string, string>): Promise<RunningApp> {
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, '..', 'fixtures', file)], {
    env: { ...process.env, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 15_000);
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        stop: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}:\n${output}`)));
  });
}
