import { type DynamicModule, Module } from '@nestjs/common';
import { HealthModule, type ReadinessCheck, type ServiceTelemetry } from '@envoy-fleet/telemetry';
import { ApiCoreModule, type ApiDependencies } from './api-core.module';
import { ApiRoutesModule } from './api-routes.module';

export interface ApiModuleOptions {
  readonly telemetry: ServiceTelemetry;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly dependencies: ApiDependencies;
}

@Module({})
export class AppModule {
  static register(options: ApiModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HealthModule.forRoot({ telemetry: options.telemetry, checks: options.readinessChecks }),
        ApiCoreModule.register(options.dependencies),
        ApiRoutesModule,
      ],
    };
  }
}
