import { Module } from '@nestjs/common';
import { WebhookReplayController } from './webhook-replay.controller';
import { WebhookReplayService } from './webhook-replay.service';

@Module({
  controllers: [WebhookReplayController],
  providers: [WebhookReplayService],
  exports: [WebhookReplayService],
})
export class WebhookReplayModule {}
