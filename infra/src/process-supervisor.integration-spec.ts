import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRunning, runningPid, startDetached, stopProcess } from './process-supervisor';
import { StateDir } from './state-dir';

describe('process supervisor', () => {
  let state: StateDir;

  beforeEach(() => {
    state = new StateDir(fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-supervisor-')));
  });

  afterEach(async () => {
    await stopProcess(state, 'sleeper', { graceMs: 1000 });
    fs.rmSync(state.root, { recursive: true, force: true });
  });

  const startSleeper = (script = 'sleep 30') =>
    startDetached(state, { name: 'sleeper', command: 'bash', args: ['-c', script], cwd: state.root, env: {}, marker: 'sleep' });

  // spawn returns before the child has exec'd: until then /proc/<pid>/cmdline is still node's.
  const untilExecuted = async (pid: number) => {
    const deadline = Date.now() + 5000;
    while (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('sleep') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('starts a detached process, records its pid and stops it with SIGTERM', async () => {
    const pid = startSleeper();
    expect(isRunning(pid)).toBe(true);
    await untilExecuted(pid);
    expect(runningPid(state, 'sleeper')).toBe(pid);
    expect(await stopProcess(state, 'sleeper', { graceMs: 5000 })).toBe(pid);
    expect(isRunning(pid)).toBe(false);
    expect(fs.existsSync(state.pidFile('sleeper'))).toBe(false);
  });

  it('falls back to SIGKILL when SIGTERM is ignored', async () => {
    const pid = startSleeper("trap '' TERM; sleep 30 & wait; sleep 30");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    expect(await stopProcess(state, 'sleeper', { graceMs: 500 })).toBe(pid);
    expect(isRunning(pid)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sends the output to the log file', async () => {
    startSleeper('echo hello from the sleeper; sleep 30');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.readFileSync(state.logFile('sleeper'), 'utf8')).toContain('hello from the sleeper');
  });

  it('forgets a pid file whose process is gone or is not the one it started', () => {
    state.ensure();
    fs.writeFileSync(state.pidFile('sleeper'), `${process.pid}\nno-such-command-line\n`);
    expect(runningPid(state, 'sleeper')).toBeUndefined();
    expect(fs.existsSync(state.pidFile('sleeper'))).toBe(false);
    expect(isRunning(process.pid)).toBe(true);
  });

  it('fails at once when the command does not exist', () => {
    expect(() =>
      startDetached(state, { name: 'ghost', command: '/nonexistent/bin/ghost', args: [], cwd: state.root, env: {}, marker: 'ghost' }),
    ).toThrow(/ghost/);
  });
});
