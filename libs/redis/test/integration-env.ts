/**
 * Integration specs get Redis from the integration jest project's global setup (libs/testing). A
 * missing variable fails the suite: silently skipping would let the test command pass untested.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run integration specs through the jest "integration" project, whose global setup starts the dependencies`);
  }
  return value;
}
