/**
 * Integration specs get their dependencies from the integration jest project's global setup
 * (libs/testing), which starts them and exports their addresses. A missing variable fails the
 * suite: silently skipping would let the test command pass without testing anything.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run integration specs through the jest "integration" project, whose global setup starts the dependencies`);
  }
  return value;
}

export function optionalEnv(name: string, fallback: string): string {
  return process.env[name] ?? fallback;
}
