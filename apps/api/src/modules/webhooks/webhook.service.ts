import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createEvent, DomainError } from '@envoy-fleet/domain';
import {
  appendEvents,
  updateVersioned,
  WebhookDeliveryEntity,
  WebhookSubscriptionEntity,
} from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import { API_SETTINGS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import { ENCRYPTED_FIELD, SecretCipher } from '../configs/secret-cipher';
import {
  type CreatedWebhookView,
  WEBHOOK_DELIVERY_LIST,
  WEBHOOK_LIST,
  type WebhookCreate,
  type WebhookDeliveryView,
  webhookDeliveryView,
  type WebhookView,
  webhookView,
  type WebhookWrite,
  webhookWriteOf,
  webhookWriteSchema,
} from './webhook.dto';

type Change = 'created' | 'updated' | 'deleted';

/**
 * Webhook subscriptions and their delivery log [API-WH-*]. The signing secret is generated (or taken
 * from the request) at creation, returned in that response only, and stored encrypted with the
 * api's secret cipher (SECRET_ENCRYPTION_KEY, the tenant id as additional data): the `secret` column
 * holds the cipher's sealed envelope, which the webhook dispatcher opens with the same key.
 */
@Injectable()
export class WebhookService {
  private readonly cipher: SecretCipher;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    @Inject(API_SETTINGS) settings: ApiSettings,
  ) {
    this.cipher = new SecretCipher(settings.secretEncryptionKey);
  }

  list(principal: Principal, query: ListQuery): Promise<Page<WebhookView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(WebhookSubscriptionEntity).createQueryBuilder('hook'),
        WEBHOOK_LIST,
        query,
      );
      return { items: page.items.map(webhookView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<WebhookView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      webhookView(await findSubscription(manager, id)),
    );
  }

  create(principal: Principal, create: WebhookCreate): Promise<CreatedWebhookView> {
    const secret = create.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const sealed = this.cipher.seal({ secret }, principal.tenantId)[ENCRYPTED_FIELD];
    if (typeof sealed !== 'string') throw new Error('the secret cipher returned no sealed envelope');
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const subscription = await manager.save(
        manager.create(WebhookSubscriptionEntity, {
          tenantId: principal.tenantId,
          name: create.name,
          url: create.url,
          eventTypes: create.eventTypes,
          enabled: create.enabled,
          maxAttempts: create.maxAttempts,
          description: create.description,
          secret: sealed,
        }),
      );
      await appendEvents(manager, [changed(principal, subscription, 'created')]);
      return { ...webhookView(subscription), secret };
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: WebhookWrite,
  ): Promise<WebhookView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findSubscription(manager, id);
      const subscription = await updateVersioned(manager, WebhookSubscriptionEntity, id, expectedVersion, {
        ...write,
      });
      await appendEvents(manager, [changed(principal, subscription, 'updated')]);
      return webhookView(subscription);
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<WebhookView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(webhookWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(webhookWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const subscription = await findSubscription(manager, id);
      await deleteVersioned(manager, WebhookSubscriptionEntity, id, expectedVersion);
      await appendEvents(manager, [changed(principal, subscription, 'deleted')]);
    });
  }

  listDeliveries(principal: Principal, id: string, query: ListQuery): Promise<Page<WebhookDeliveryView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findSubscription(manager, id);
      const page = await listPage(
        manager
          .getRepository(WebhookDeliveryEntity)
          .createQueryBuilder('delivery')
          .where('delivery.subscription_id = :id', { id }),
        WEBHOOK_DELIVERY_LIST,
        query,
      );
      return { items: page.items.map(webhookDeliveryView), nextCursor: page.nextCursor };
    });
  }
}

async function findSubscription(manager: EntityManager, id: string): Promise<WebhookSubscriptionEntity> {
  const subscription = await manager.findOneBy(WebhookSubscriptionEntity, { id });
  if (subscription === null) throw DomainError.notFound('webhook subscription', id);
  return subscription;
}

function changed(principal: Principal, subscription: WebhookSubscriptionEntity, change: Change) {
  return createEvent('webhook.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: subscription.id,
    payload: { subscriptionId: subscription.id, change },
  });
}
