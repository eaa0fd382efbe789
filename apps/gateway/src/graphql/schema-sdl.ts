import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The SDL file is the contract external clients rely on, so it is read, not generated. Compiled code runs
 * from dist/, where tsc copies no .graphql files: fall back to the same path in the source tree.
 */
export function readSchemaSdl(): string {
  const beside = path.join(__dirname, 'schema.graphql');
  const inSource = beside.replace(`${path.sep}dist${path.sep}`, path.sep);
  const found = [beside, inSource].find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`schema.graphql not found at ${beside} or ${inSource}`);
  return readFileSync(found, 'utf8');
}
