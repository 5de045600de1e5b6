import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, type ReadinessCheck, type ServiceTelemetry } from '@envoy-fleet/telemetry';
import { XdsModule } from './xds/xds.module';
import type { XdsServer } from './xds/xds-server';

export interface XdsServerModuleOptions {
  readonly telemetry: ServiceTelemetry;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly xds: XdsServer;
}

@Module({})
export class AppModule {
  static register(options: XdsServerModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ telemetry: options.telemetry, checks: options.readinessChecks }),
        XdsModule.register(options.xds),
      ],
    };
  }
}
