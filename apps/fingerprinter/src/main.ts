import 'reflect-metadata';
import { fingerprinterConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, exitOnFatal, runMain, startService } from '@faultline/observability';
import { AppModule } from './app.module';

runMain(async () => {
  const config = loadConfig(fingerprinterConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'fingerprinter');
  await startService(AppModule.register(config, log, exitOnFatal(log)), { log, port: config.FINGERPRINTER_PORT, host: config.HTTP_HOST });
});
