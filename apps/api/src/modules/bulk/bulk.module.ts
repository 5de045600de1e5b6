import { Module } from '@nestjs/common';
import { ConfigModule } from '../configs/config.module';
import { ProxyGroupModule } from '../proxy-groups/proxy-group.module';
import { ProxyModule } from '../proxies/proxy.module';
import { BulkController } from './bulk.controller';
import { BulkService } from './bulk.service';

@Module({
  imports: [ProxyGroupModule, ProxyModule, ConfigModule],
  controllers: [BulkController],
  providers: [BulkService],
})
export class BulkModule {}
