import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ApiKeyModule } from './modules/api-keys/api-key.module';
import { NodeModule } from './modules/nodes/node.module';
import { TenantModule } from './modules/tenants/tenant.module';

/** Every `/api/v1` feature. */
@Module({ imports: [AuthModule, TenantModule, ApiKeyModule, NodeModule] })
export class ApiRoutesModule {}
