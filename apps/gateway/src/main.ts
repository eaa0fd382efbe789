import 'reflect-metadata';
import { gatewayConfigSchema, loadConfig } from '@faultline/config';
import { createLogger, runMain, startService } from '@faultline/observability';
import { AppModule } from './app.module';
import { GraphqlServer } from './graphql/graphql.server';

runMain(async () => {
  const config = loadConfig(gatewayConfigSchema);
  const log = createLogger(config.LOG_LEVEL, 'gateway');
  await startService(AppModule.register(config, log), {
    log,
    port: config.GATEWAY_PORT,
    host: config.HTTP_HOST,
    // Apollo's express middleware parses its own JSON body.
    bodyParser: false,
    beforeListen: async (app) => void app.use('/graphql', ...(await app.get(GraphqlServer).middleware())),
  });
});
