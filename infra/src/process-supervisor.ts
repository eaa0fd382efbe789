import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateDir } from './state-dir';

export interface DetachedProcessSpec {
  /** Pid and log file name: `pids/<name>.pid`, `logs/<name>.log`. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * A string that appears in the process's command line (/proc/<pid>/cmdline). Stored in the pid
   * file and checked before signalling, so a stale pid file whose pid the kernel reused for an
   * unrelated process never gets that process killed.
   */
  marker: string;
}

/**
 * Starts a process that outlives us: its own session and process group, stdio to its log file,
 * not waited for. Returns its pid, also written to its pid file.
 */
export function startDetached(state: StateDir, spec: DetachedProcessSpec): number {
  state.ensure();
  const logFile = state.logFile(spec.name);
  fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} starting: ${spec.command} ${spec.args.join(' ')}\n`);
  const out = fs.openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', out, out] });
    // A spawn failure (ENOENT, EACCES) is reported through this event after we return; pid tells it now.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new Error(`Could not start ${spec.name}: ${spec.command} not found or not executable`);
    child.unref();
    fs.writeFileSync(state.pidFile(spec.name), `${child.pid}\n${spec.marker}\n`);
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/** Alive and not a zombie (a zombie still answers kill 0 until its parent reaps it). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const stat = readProc(pid, 'stat');
  if (stat === undefined) return true;
  // Field 3, after the parenthesised command name (which may itself contain spaces or parentheses).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** The pid from the pid file when that process is still ours and alive; removes a stale pid file. */
export function runningPid(state: StateDir, name: string): number | undefined {
  const file = state.pidFile(name);
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, marker = ''] = content.split('\n');
  const pid = Number(pidLine);
  if (Number.isInteger(pid) && pid > 1 && isRunning(pid) && commandLineContains(pid, marker)) return pid;
  fs.rmSync(file, { force: true });
  return undefined;
}

export interface StopOptions {
  /** How long SIGTERM gets before SIGKILL. */
  graceMs: number;
}

/**
 * Stops a process we started: SIGTERM to its process group, SIGKILL after the grace period, and
 * waits until it is gone. Returns the pid it stopped, or undefined when nothing was running.
 */
export async function stopProcess(state: StateDir, name: string, options: StopOptions): Promise<number | undefined> {
  const pid = runningPid(state, name);
  if (pid === undefined) return undefined;
  signalGroup(pid, 'SIGTERM');
  if (!(await waitForExit(pid, options.graceMs))) {
    signalGroup(pid, 'SIGKILL');
    if (!(await waitForExit(pid, 5000))) throw new Error(`${name} (pid ${pid}) survived SIGKILL`);
  }
  fs.rmSync(state.pidFile(name), { force: true });
  return pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Detached children lead their own group, so this also reaches anything they spawned.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

function commandLineContains(pid: number, marker: string): boolean {
  if (marker === '') return true;
  const cmdline = readProc(pid, 'cmdline');
  // Without /proc (not Linux) the pid check alone has to do. An empty cmdline is read while the process
  // is in the middle of an exec (e.g. `bash -c` replacing itself with its command): unknown, not a mismatch.
  return cmdline === undefined || cmdline === '' || cmdline.replace(/\0/g, ' ').includes(marker);
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join('/proc', String(pid), file), 'utf8');
  } catch {
    return undefined;
  }
}
