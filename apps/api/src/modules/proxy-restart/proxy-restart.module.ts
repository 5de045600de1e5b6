import { Module } from '@nestjs/common';
import { ProxyRestartController } from './proxy-restart.controller';
import { ProxyRestartService } from './proxy-restart.service';

@Module({
  controllers: [ProxyRestartController],
  providers: [ProxyRestartService],
  exports: [ProxyRestartService],
})
export class ProxyRestartModule {}
