import { Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from '@envoy-fleet/db';
import type { Principal } from '../../auth/principal';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { type WebhookDeliveryView, webhookDeliveryView } from '../webhooks/webhook.dto';

/**
 * Replays a webhook delivery: its event is queued again for the subscription as a new attempt
 * (`attempt` one past the event's last, `pending`, due now, `replayOfId` naming the delivery replayed),
 * which webhook-dispatcher sends like any due attempt, signed afresh. Refused while an attempt of that event is still pending (409), and for a
 * disabled subscription (409). The new attempt row is the record of the replay: deliveries are a log
 * of their own, not audited.
 */
@Injectable()
export class WebhookReplayService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  replay(principal: Principal, subscriptionId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const subscription = await manager
        .createQueryBuilder(WebhookSubscriptionEntity, 'subscription')
        .where('subscription.id = :subscriptionId', { subscriptionId })
        .setLock('pessimistic_write')
        .getOne();
      if (subscription === null) throw DomainError.notFound('webhook subscription', subscriptionId);
      const delivery = await manager.findOneBy(WebhookDeliveryEntity, { id: deliveryId, subscriptionId });
      if (delivery === null)
        throw DomainError.notFound(`webhook subscription ${subscriptionId} delivery`, deliveryId);
      if (!subscription.enabled) {
        throw DomainError.invalidState('webhook subscription', subscriptionId, 'disabled', 'a replay');
      }
      const attempts = await manager.find(WebhookDeliveryEntity, {
        where: { subscriptionId, eventId: delivery.eventId },
        order: { attempt: 'DESC' },
      });
      const pending = attempts.find((attempt) => attempt.status === 'pending');
      if (pending !== undefined) {
        throw new DomainError(
          'CONFLICT',
          `event ${delivery.eventId} already has attempt ${pending.attempt} pending for subscription ${subscriptionId}; wait for it`,
          { details: { deliveryId: pending.id, attempt: pending.attempt } },
        );
      }
      const queued = await manager.save(
        manager.create(WebhookDeliveryEntity, {
          tenantId: principal.tenantId,
          subscriptionId,
          eventId: delivery.eventId,
          eventType: delivery.eventType,
          attempt: (attempts[0]?.attempt ?? delivery.attempt) + 1,
          status: 'pending',
          payload: delivery.payload,
          nextAttemptAt: new Date(),
          replayOfId: delivery.id,
        }),
      );
      return webhookDeliveryView(await manager.findOneByOrFail(WebhookDeliveryEntity, { id: queued.id }));
    });
  }
}
