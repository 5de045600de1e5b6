import { Module } from '@nestjs/common';
import { ConfigApplyController } from './config-apply.controller';
import { ConfigApplyService } from './config-apply.service';
import { ConfigBindingController } from './config-binding.controller';
import { ConfigBindingService } from './config-binding.service';

@Module({
  controllers: [ConfigBindingController, ConfigApplyController],
  providers: [ConfigBindingService, ConfigApplyService],
})
export class ConfigBindingModule {}
