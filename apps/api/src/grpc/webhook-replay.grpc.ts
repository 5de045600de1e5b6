import { Injectable } from '@nestjs/common';
import type { ControlPlaneServiceServer } from '@envoy-fleet/proto/management';
import { WebhookReplayService } from '../modules/webhook-replay/webhook-replay.service';
import { GrpcEdge } from './grpc-edge';
import { uuidOf } from './grpc-request';
import { deliveryMessage } from './webhooks.grpc';

/** ReplayWebhookDelivery over the service of `POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/replay`. */
@Injectable()
export class WebhookReplayGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly replays: WebhookReplayService,
  ) {}

  handlers(): Pick<ControlPlaneServiceServer, 'replayWebhookDelivery'> {
    const { edge, replays } = this;
    return {
      replayWebhookDelivery: edge.unary({ role: 'operator' }, async (principal, request) => {
        const queued = await replays.replay(
          principal,
          uuidOf(request.subscriptionId, 'subscription_id'),
          uuidOf(request.deliveryId, 'delivery_id'),
        );
        return { delivery: deliveryMessage(queued) };
      }),
    };
  }
}
