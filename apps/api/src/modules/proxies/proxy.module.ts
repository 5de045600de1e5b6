import { Module } from '@nestjs/common';
import { ProxyController } from './proxy.controller';
import { ProxyStatusService } from './proxy-status.service';
import { ProxyService } from './proxy.service';

@Module({
  controllers: [ProxyController],
  providers: [ProxyService, ProxyStatusService],
  exports: [ProxyService, ProxyStatusService],
})
export class ProxyModule {}
