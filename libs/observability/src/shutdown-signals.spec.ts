import { EventEmitter } from 'node:events';
import pino from 'pino';
import { closeOnSignals } from './shutdown-signals';

/** A process stand-in: signals are emitted by the spec, exits are recorded. */
class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

function recordingLogger(): { log: pino.Logger; lines: { msg: string; [field: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const log = pino({ base: undefined, timestamp: false }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('closeOnSignals', () => {
  it('closes the app once on SIGTERM, logs the signal and the time it took, then exits 0', async () => {
    const target = new FakeProcess();
    const { log, lines } = recordingLogger();
    let closeCalls = 0;
    let finishClose!: () => void;
    const app = { close: () => new Promise<void>((resolve) => (closeCalls++, (finishClose = resolve))) };
    closeOnSignals(app, log, target);

    target.emit('SIGTERM', 'SIGTERM');
    expect(closeCalls).toBe(1);
    expect(target.exits).toEqual([]);
    expect(lines.map(({ msg, signal }) => ({ msg, signal }))).toEqual([{ msg: 'shutting down', signal: 'SIGTERM' }]);

    finishClose();
    await new Promise((resolve) => setImmediate(resolve));
    expect(target.exits).toEqual([0]);
    expect(lines[1]).toMatchObject({ msg: 'shut down', signal: 'SIGTERM', ms: expect.any(Number) });
  });

  it('exits 1 at once on a second signal while closing, and exits 1 when closing fails', async () => {
    const target = new FakeProcess();
    const { log, lines } = recordingLogger();
    closeOnSignals({ close: () => new Promise<void>(() => undefined) }, log, target);
    target.emit('SIGINT', 'SIGINT');
    target.emit('SIGTERM', 'SIGTERM');
    expect(target.exits).toEqual([1]);
    expect(lines.map(({ msg }) => msg)).toEqual(['shutting down', 'second signal while shutting down: exiting now']);

    const failing = new FakeProcess();
    const recorded = recordingLogger();
    closeOnSignals({ close: () => Promise.reject(new Error('kafka disconnect failed')) }, recorded.log, failing);
    failing.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setImmediate(resolve));
    expect(failing.exits).toEqual([1]);
    expect(recorded.lines[1]).toMatchObject({ msg: 'shutdown failed', error: 'kafka disconnect failed' });
  });
});
