import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { XdsServer } from './xds-server';

/** Starts the xDS server with the app and stops it (GOAWAY, streams ended with OK) before the app's connections close. */
@Injectable()
class XdsServerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(XdsServer) private readonly server: XdsServer) {}

  onApplicationBootstrap(): Promise<void> {
    return this.server.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.server.stop();
  }
}

/** The xDS protocol server in the app's lifecycle; the server itself is built by the bootstrap, which owns its adapters. */
@Module({})
export class XdsModule {
  static register(server: XdsServer): DynamicModule {
    return {
      module: XdsModule,
      providers: [{ provide: XdsServer, useValue: server }, XdsServerLifecycle],
      exports: [XdsServer],
    };
  }
}
