/** `npm run up` (after infra/bin/up.sh installed and built what was missing). */
import { upStack } from './stack';
import { loadLocalStackConfig } from './stack-config';
import { StateDir } from './state-dir';

async function main(): Promise<void> {
  const config = loadLocalStackConfig();
  const urls = await upStack(config, (line) => console.log(line));
  const logs = new StateDir(config.home).logsDir;
  console.log(
    [
      '',
      'Faultline is up.',
      `  Datadog trace intake  ${urls.ingestionUrl}   (point tracers at it: DD_TRACE_AGENT_URL=${urls.ingestionUrl})`,
      `  OTLP/HTTP intake      ${urls.otlpUrl}   (point OpenTelemetry SDKs at it: OTEL_EXPORTER_OTLP_ENDPOINT=${urls.otlpUrl})`,
      `  GraphQL               ${urls.graphqlUrl}`,
      `  ClickHouse (HTTP)     ${urls.clickhouseUrl}   database ${config.clickhouseDatabase}`,
      `  Redis                 ${urls.redisUrl}`,
      `  Kafka                 ${urls.kafkaBrokers}${urls.externalKafka ? '' : '   (librdkafka mock: in memory, lost on restart)'}`,
      `  Logs                  ${logs}`,
      'Stop everything with `npm run down`.',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`\nup failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('What did start is still running for inspection; `npm run down` stops it.');
  process.exitCode = 1;
});
