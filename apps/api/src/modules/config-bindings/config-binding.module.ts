import { Module } from '@nestjs/common';
import { RolloutModule } from '../rollouts/rollout.module';
import { ConfigApplyController } from './config-apply.controller';
import { ConfigApplyService } from './config-apply.service';
import { ConfigBindingController } from './config-binding.controller';
import { ConfigBindingService } from './config-binding.service';

@Module({
  imports: [RolloutModule],
  controllers: [ConfigBindingController, ConfigApplyController],
  providers: [ConfigBindingService, ConfigApplyService],
  exports: [ConfigApplyService],
})
export class ConfigBindingModule {}
