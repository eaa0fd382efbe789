import 'reflect-metadata';
import { ingestionConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, runMain, startService } from '@faultline/observability';
import { AppModule } from './app.module';

runMain(async () => {
  const config = loadConfig(ingestionConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'ingestion');
  // Bodies are read raw by RawBodyMiddleware on the intake routes only. The OTLP port is opened by the
  // app module's listener; this one is the Datadog trace-agent API.
  await startService(AppModule.forRoot(config, log), { log, port: config.INGESTION_PORT, host: config.HTTP_HOST, bodyParser: false });
});
