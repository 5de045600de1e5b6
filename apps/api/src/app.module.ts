import { type DynamicModule, Module } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { HealthModule, type ReadinessCheck, type ServiceTelemetry } from '@envoy-fleet/telemetry';
import { ApiCoreModule, type ApiDependencies } from './api-core.module';
import { ApiRoutesModule } from './api-routes.module';
import { GrpcModule } from './grpc/grpc.module';
import type { ManagementGrpcServer } from './grpc/management-grpc-server';
import { DocsModule } from './openapi/docs.module';

export interface ApiModuleOptions {
  readonly telemetry: ServiceTelemetry;
  readonly readinessChecks: readonly ReadinessCheck[];
  readonly dependencies: ApiDependencies;
  /** Served at /api/docs-json and /api/docs; absent while the document is being generated from this module. */
  readonly openApiDocument?: OpenAPIObject;
  /** The management gRPC server to serve ControlPlaneService on; absent while the document is being generated. */
  readonly grpc?: ManagementGrpcServer;
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
        ...(options.openApiDocument === undefined ? [] : [DocsModule.register(options.openApiDocument)]),
        ...(options.grpc === undefined ? [] : [GrpcModule.register(options.grpc)]),
      ],
    };
  }
}
