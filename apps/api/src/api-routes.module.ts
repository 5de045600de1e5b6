import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ApiKeyModule } from './modules/api-keys/api-key.module';
import { BulkModule } from './modules/bulk/bulk.module';
import { ConfigDeliveryModule } from './modules/config-deliveries/config-delivery.module';
import { ConfigBindingModule } from './modules/config-bindings/config-binding.module';
import { ConfigReleaseModule } from './modules/config-releases/config-release.module';
import { ConfigModule } from './modules/configs/config.module';
import { ConfigTemplateModule } from './modules/config-templates/config-template.module';
import { EventModule } from './modules/events/event.module';
import { FleetStatsModule } from './modules/fleet-stats/fleet-stats.module';
import { NodeModule } from './modules/nodes/node.module';
import { ProxyGroupModule } from './modules/proxy-groups/proxy-group.module';
import { ProxyModule } from './modules/proxies/proxy.module';
import { ProxyDiagnosticsModule } from './modules/proxy-diagnostics/proxy-diagnostics.module';
import { ProxyReloadModule } from './modules/proxy-reload/proxy-reload.module';
import { ProxyRestartModule } from './modules/proxy-restart/proxy-restart.module';
import { RoleBindingModule } from './modules/role-bindings/role-binding.module';
import { RolloutModule } from './modules/rollouts/rollout.module';
import { ServiceDiscoveryModule } from './modules/service-discovery/service-discovery.module';
import { SnapshotModule } from './modules/snapshots/snapshot.module';
import { TenantModule } from './modules/tenants/tenant.module';
import { UserModule } from './modules/users/user.module';
import { WebhookModule } from './modules/webhooks/webhook.module';
import { WebhookReplayModule } from './modules/webhook-replay/webhook-replay.module';
import { XdsResourceModule } from './modules/xds-resources/xds-resource.module';

/** Every `/api/v1` feature. */
@Module({
  imports: [
    AuthModule,
    TenantModule,
    ApiKeyModule,
    NodeModule,
    ProxyGroupModule,
    ProxyModule,
    ProxyDiagnosticsModule,
    ConfigModule,
    ConfigBindingModule,
    ConfigReleaseModule,
    ConfigDeliveryModule,
    RolloutModule,
    ConfigTemplateModule,
    EventModule,
    UserModule,
    RoleBindingModule,
    WebhookModule,
    BulkModule,
    ServiceDiscoveryModule,
    FleetStatsModule,
    ProxyReloadModule,
    XdsResourceModule,
    SnapshotModule,
    ProxyRestartModule,
    WebhookReplayModule,
  ],
})
export class ApiRoutesModule {}
