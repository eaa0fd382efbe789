import 'reflect-metadata';
import { aggregatorConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, NestPinoLogger } from '@faultline/observability';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(aggregatorConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'aggregator');
  // A consumer that cannot go on exits non-zero so the supervisor (local stack, Kubernetes) restarts it.
  const onFatal = (error: Error) => {
    log.fatal({ error: error.message }, 'exiting after fatal consumer error');
    setTimeout(() => process.exit(1), 100);
  };
  const app = await NestFactory.create(AppModule.register(config, log, onFatal), { logger: new NestPinoLogger(log) });
  app.enableShutdownHooks();
  await app.listen(config.AGGREGATOR_PORT, config.HTTP_HOST);
  log.info({ port: config.AGGREGATOR_PORT }, 'aggregator started');
}

void bootstrap().catch((error) => {
  console.error(error);
  process.exit(1);
});
