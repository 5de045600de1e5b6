import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ApiKeyModule } from './modules/api-keys/api-key.module';
import { ConfigBindingModule } from './modules/config-bindings/config-binding.module';
import { ConfigModule } from './modules/configs/config.module';
import { ConfigTemplateModule } from './modules/config-templates/config-template.module';
import { EventModule } from './modules/events/event.module';
import { NodeModule } from './modules/nodes/node.module';
import { ProxyGroupModule } from './modules/proxy-groups/proxy-group.module';
import { ProxyModule } from './modules/proxies/proxy.module';
import { TenantModule } from './modules/tenants/tenant.module';

/** Every `/api/v1` feature. */
@Module({
  imports: [
    AuthModule,
    TenantModule,
    ApiKeyModule,
    NodeModule,
    ProxyGroupModule,
    ProxyModule,
    ConfigModule,
    ConfigBindingModule,
    ConfigTemplateModule,
    EventModule,
  ],
})
export class ApiRoutesModule {}
