import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { EventModule } from '../modules/events/event.module';
import { NodeModule } from '../modules/nodes/node.module';
import { ProxyGroupModule } from '../modules/proxy-groups/proxy-group.module';
import { ProxyModule } from '../modules/proxies/proxy.module';
import { ConfigModule } from '../modules/configs/config.module';
import { ConfigBindingModule } from '../modules/config-bindings/config-binding.module';
import { ProxyRestartModule } from '../modules/proxy-restart/proxy-restart.module';
import { RolloutModule } from '../modules/rollouts/rollout.module';
import { WebhookReplayModule } from '../modules/webhook-replay/webhook-replay.module';
import { SnapshotModule } from '../modules/snapshots/snapshot.module';
import { XdsResourceModule } from '../modules/xds-resources/xds-resource.module';
import { WebhookModule } from '../modules/webhooks/webhook.module';
import { ConfigGrpcHandlers } from './configs.grpc';
import { GrpcEdge } from './grpc-edge';
import { ManagementGrpcServer } from './management-grpc-server';
import { NodeGrpcHandlers } from './nodes.grpc';
import { ProxyGroupGrpcHandlers } from './proxy-groups.grpc';
import { ProxyGrpcHandlers } from './proxies.grpc';
import { ProxyRestartGrpcHandlers } from './proxy-restart.grpc';
import { SnapshotGrpcHandlers } from './snapshots.grpc';
import { RolloutGrpcHandlers } from './rollouts.grpc';
import { WebhookReplayGrpcHandlers } from './webhook-replay.grpc';
import { XdsResourceGrpcHandlers } from './xds-resources.grpc';
import { WebhookGrpcHandlers } from './webhooks.grpc';

/**
 * Serves ControlPlaneService once the app is up, and stops it first on shutdown (health NOT_SERVING,
 * no new calls, streams ended with OK, calls in flight drained) while the services it calls still
 * work.
 */
@Injectable()
class ControlPlaneLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(ManagementGrpcServer) private readonly server: ManagementGrpcServer,
    private readonly edge: GrpcEdge,
    private readonly configs: ConfigGrpcHandlers,
    private readonly nodes: NodeGrpcHandlers,
    private readonly groups: ProxyGroupGrpcHandlers,
    private readonly proxies: ProxyGrpcHandlers,
    private readonly webhooks: WebhookGrpcHandlers,
    private readonly rollouts: RolloutGrpcHandlers,
    private readonly restarts: ProxyRestartGrpcHandlers,
    private readonly replays: WebhookReplayGrpcHandlers,
    private readonly xdsResources: XdsResourceGrpcHandlers,
    private readonly snapshots: SnapshotGrpcHandlers,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    const controlPlane: UntypedServiceImplementation = {
      ...this.configs.handlers(),
      ...this.nodes.handlers(),
      ...this.groups.handlers(),
      ...this.proxies.handlers(),
      ...this.webhooks.handlers(),
      ...this.rollouts.handlers(),
      ...this.restarts.handlers(),
      ...this.replays.handlers(),
      ...this.xdsResources.handlers(),
      ...this.snapshots.handlers(),
    };
    return this.server.serve(controlPlane);
  }

  onModuleDestroy(): Promise<void> {
    return this.server.stop(() => this.edge.endStreams());
  }
}

/** The management gRPC API over the feature modules' services; the server itself is built by the bootstrap. */
@Module({})
export class GrpcModule {
  static register(server: ManagementGrpcServer): DynamicModule {
    return {
      module: GrpcModule,
      imports: [
        ConfigModule,
        ConfigBindingModule,
        RolloutModule,
        NodeModule,
        ProxyGroupModule,
        ProxyModule,
        EventModule,
        WebhookModule,
        ProxyRestartModule,
        WebhookReplayModule,
        XdsResourceModule,
        SnapshotModule,
      ],
      providers: [
        { provide: ManagementGrpcServer, useValue: server },
        GrpcEdge,
        ConfigGrpcHandlers,
        NodeGrpcHandlers,
        ProxyGroupGrpcHandlers,
        ProxyGrpcHandlers,
        WebhookGrpcHandlers,
        RolloutGrpcHandlers,
        ProxyRestartGrpcHandlers,
        WebhookReplayGrpcHandlers,
        XdsResourceGrpcHandlers,
        SnapshotGrpcHandlers,
        ControlPlaneLifecycle,
      ],
    };
  }
}
