import { type DynamicModule, Module } from '@nestjs/common';
import type { ServiceTelemetry } from '../service-telemetry';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, type HealthOptions } from './health.options';
import type { ReadinessCheck } from './readiness';

export interface HealthModuleOptions {
  readonly telemetry: ServiceTelemetry;
  readonly checks: readonly ReadinessCheck[];
  readonly timeoutMs?: number;
}

const DEFAULT_CHECK_TIMEOUT_MS = 3000;

/** `GET /healthz`, `GET /readyz` (runs `checks`) and `GET /metrics` (the app's Prometheus registry). */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions): DynamicModule {
    const healthOptions: HealthOptions = {
      telemetry: options.telemetry,
      checks: options.checks,
      timeoutMs: options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
    };
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: healthOptions }],
    };
  }
}
