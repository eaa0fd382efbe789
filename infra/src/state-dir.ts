import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Layout of a local stack's state directory (FAULTLINE_HOME, default `<repo>/.faultline`):
 *   pids/<name>.pid    one per process we started (services and dependencies)
 *   logs/<name>.log    its stdout and stderr
 *   data/<name>/       its data (Redis dir, ClickHouse path)
 *   conf/<name>/       rendered configuration files
 *   kafka.bootstrap    bootstrap servers of the running Kafka mock
 * Two stacks (dev, e2e, one per integration run) never share a state directory.
 */
export class StateDir {
  constructor(readonly root: string) {}

  pidFile(name: string): string {
    return path.join(this.root, 'pids', `${name}.pid`);
  }

  logFile(name: string): string {
    return path.join(this.root, 'logs', `${name}.log`);
  }

  get logsDir(): string {
    return path.join(this.root, 'logs');
  }

  dataDir(name: string): string {
    return path.join(this.root, 'data', name);
  }

  confDir(name: string): string {
    return path.join(this.root, 'conf', name);
  }

  get kafkaBootstrapFile(): string {
    return path.join(this.root, 'kafka.bootstrap');
  }

  ensure(): void {
    for (const dir of ['pids', 'logs', 'data', 'conf']) fs.mkdirSync(path.join(this.root, dir), { recursive: true });
  }
}
