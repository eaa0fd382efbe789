import { readFixture } from './read-fixture';

/**
 * Test support only: the stack of a fixture as a tracer would report it, without the `# type:` and
 * `# message:` lines that corpus files (`corpus/<language>/<group>/<variant>.txt`) start with.
 */
export function readStack(relativePath: string): string {
  return readFixture(relativePath).replace(/^# type: .*\r?\n# message: .*\r?\n/, '');
}
