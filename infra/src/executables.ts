import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Finds a program on PATH or in the sbin directories Debian installs servers into (a non-root
 * PATH often lacks /usr/sbin, where clickhouse-server lives).
 */
export function findExecutable(name: string, pathVariable: string | undefined): string | undefined {
  const dirs = [...(pathVariable ?? '').split(path.delimiter).filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
