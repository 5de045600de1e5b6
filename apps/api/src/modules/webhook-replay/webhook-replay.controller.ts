import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../../auth/principal';
import { Requires } from '../../auth/requires.decorator';
import { IdParam, WriteQuery } from '../../http/request-params';
import { uuidParam } from '../../http/request-schemas';
import { ZodPipe } from '../../http/zod-request';
import { ApiAccepted, ApiSecured } from '../../openapi/api-docs.decorators';
import { type WebhookDeliveryView, webhookDeliveryViewSchema } from '../webhooks/webhook.dto';
import { WebhookReplayService } from './webhook-replay.service';

@ApiTags('webhooks')
@ApiSecured()
@Controller('api/v1/webhooks')
export class WebhookReplayController {
  constructor(private readonly replays: WebhookReplayService) {}

  @ApiParam({ name: 'id', description: 'the subscription', schema: { type: 'string', format: 'uuid' } })
  @ApiParam({
    name: 'deliveryId',
    description: 'the delivery to replay',
    schema: { type: 'string', format: 'uuid' },
  })
  @ApiAccepted(
    webhookDeliveryViewSchema,
    "the delivery's event is queued again as a new, pending attempt",
    409,
  )
  @Post(':id/deliveries/:deliveryId/replay')
  @Requires('operator')
  @HttpCode(202)
  replay(
    @CurrentPrincipal() principal: Principal,
    @IdParam() id: string,
    @Param('deliveryId', new ZodPipe(uuidParam, 'params')) deliveryId: string,
    @WriteQuery() _query: unknown,
  ): Promise<WebhookDeliveryView> {
    return this.replays.replay(principal, id, deliveryId);
  }
}
