import { Controller, DynamicModule, Get, Global, Module, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Registry } from 'prom-client';
import { HealthRegistry } from './health.registry';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: Registry,
  ) {}

  @Get('health/live')
  async live(@Res() response: Response): Promise<void> {
    const report = await this.health.checkLiveness();
    response.status(report.ok ? 200 : 503).json(report);
  }

  @Get('health/ready')
  async ready(@Res() response: Response): Promise<void> {
    const report = await this.health.checkReadiness();
    response.status(report.ok ? 200 : 503).json(report);
  }

  @Get('metrics')
  async scrape(@Res() response: Response): Promise<void> {
    response.type(this.metrics.contentType).send(await this.metrics.metrics());
  }
}

/**
 * Serves /health/live, /health/ready and /metrics (Prometheus) on the app's HTTP listener.
 * Global, so any provider can inject HealthRegistry to add checks and the Registry to add metrics.
 */
@Global()
@Module({})
export class HealthModule {
  static forRoot(options: { metrics: Registry; health?: HealthRegistry }): DynamicModule {
    const health = options.health ?? new HealthRegistry();
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [
        { provide: HealthRegistry, useValue: health },
        { provide: Registry, useValue: options.metrics },
      ],
      exports: [HealthRegistry, Registry],
    };
  }
}
