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

/**
 * fixtures/dd-express-app.js traced by the real dd-trace into Faultline's ingestion as `service`.
 * `env` adds or overrides DD_* settings (DD_ENV, DD_VERSION, DD_TRACE_AGENT_PROTOCOL_VERSION, ...);
 * telemetry, remote configuration and startup logs are off so only traces reach the intake.
 */
export function startDdExpressApp(ingestionUrl: string, service: string, env: Record<string, string> = {}): Promise<RunningApp> {
  return startInstrumentedApp('dd-express-app.js', {
    DD_TRACE_AGENT_URL: ingestionUrl,
    DD_SERVICE: service,
    DD_ENV: 'e2e',
    DD_VERSION: '1.2.3',
    DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    DD_REMOTE_CONFIGURATION_ENABLED: 'false',
    DD_TRACE_STARTUP_LOGS: 'false',
    ...env,
  });
}
