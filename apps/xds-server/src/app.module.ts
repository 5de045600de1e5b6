import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, type ReadinessCheck, type ServiceTelemetry } from '@envoy-fleet/telemetry';

export interface XdsServerModuleOptions {
  readonly telemetry: ServiceTelemetry;
  readonly readinessChecks: readonly ReadinessCheck[];
}

@Module({})
export class AppModule {
  static register(options: XdsServerModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [HealthModule.forRoot({ telemetry: options.telemetry, checks: options.readinessChecks })],
    };
  }
}
