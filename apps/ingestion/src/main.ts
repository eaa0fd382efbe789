import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ingestionConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, NestPinoLogger } from '@faultline/observability';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(ingestionConfigSchema);
  const logger = createLogger(config.LOG_LEVEL, 'ingestion');
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    // Bodies are read raw by RawBodyMiddleware on the intake routes only.
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    // Let start-up errors (Kafka unreachable) reach the handler below instead of process.abort().
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.INGESTION_PORT, config.HTTP_HOST);
  logger.info({ host: config.HTTP_HOST, port: config.INGESTION_PORT }, 'ingestion listening (Datadog trace-agent API)');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`ingestion failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
