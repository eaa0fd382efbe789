import 'reflect-metadata';
import { gatewayConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, NestPinoLogger } from '@faultline/observability';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { GraphqlServer } from './graphql/graphql.server';

async function bootstrap(): Promise<void> {
  const config = loadConfig(gatewayConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'gateway');
  const app = await NestFactory.create(AppModule.register(config), { logger: new NestPinoLogger(log), bodyParser: false });
  app.enableShutdownHooks();
  app.use('/graphql', ...(await app.get(GraphqlServer).middleware()));
  await app.listen(config.GATEWAY_PORT, config.HTTP_HOST);
  log.info({ url: `http://${config.HTTP_HOST}:${config.GATEWAY_PORT}/graphql` }, 'gateway started');
}

void bootstrap().catch((error) => {
  console.error(error);
  process.exit(1);
});
