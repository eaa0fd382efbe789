export interface GraphqlError {
  message: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** The whole GraphQL response, errors included, for specs that expect errors. `headers` are sent as well (e.g. x-faultline-actor). */
export async function graphqlResponse<T>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; data?: T | null; errors?: GraphqlError[] }> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: T | null; errors?: GraphqlError[] }) };
}

/** Minimal GraphQL-over-HTTP client for the specs: the same requests an explorer page would send. */
export async function graphql<T>(gatewayUrl: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<T> {
  const body = await graphqlResponse<T>(gatewayUrl, query, variables, headers);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${body.errors.map((e) => e.message).join('; ')}`);
  if (body.status < 200 || body.status > 299 || !body.data) throw new Error(`GraphQL HTTP ${body.status}`);
  return body.data;
}

/** Polls until `check` returns a value (not undefined) or the timeout passes; returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await probe();
  }
  return value;
}
