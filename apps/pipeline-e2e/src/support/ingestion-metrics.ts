/** Reads the ingestion service's Prometheus counters from its public /metrics endpoint. */

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * The sum of the samples of `name` whose labels include `labels`, e.g.
 * `faultline_ingestion_spans_kept_total` with `{ protocol: 'datadog-v0.5' }`; 0 when there is none.
 * Other labels (the registry adds `service="ingestion"` to every series) do not matter.
 */
export async function ingestionCounter(ingestionUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const response = await fetch(`${ingestionUrl}/metrics`);
  if (!response.ok) throw new Error(`GET ${ingestionUrl}/metrics: HTTP ${response.status}`);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const sample = SAMPLE.exec(line);
    if (!sample || sample[1] !== name) continue;
    const sampleLabels = Object.fromEntries([...(sample[2] ?? '').matchAll(LABEL)].map(([, label, value]) => [label, value]));
    if (Object.entries(labels).every(([label, value]) => sampleLabels[label] === value)) sum += Number(sample[3]);
  }
  return sum;
}
