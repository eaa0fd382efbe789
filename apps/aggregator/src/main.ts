import 'reflect-metadata';
import { aggregatorConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, exitOnFatal, runMain, startService } from '@faultline/observability';
import { AppModule } from './app.module';

runMain(async () => {
  const config = loadConfig(aggregatorConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'aggregator');
  await startService(AppModule.register(config, log, exitOnFatal(log)), { log, port: config.AGGREGATOR_PORT, host: config.HTTP_HOST });
});
