import { Injectable } from '@nestjs/common';
import type { WebhookDeliveryStatus as DeliveryStatusName } from '@envoy-fleet/domain';
import {
  type ControlPlaneServiceServer,
  type WebhookDelivery,
  WebhookDeliveryStatus,
  type WebhookSubscription,
} from '@envoy-fleet/proto/management';
import { parseRequest } from '../http/zod-request';
import {
  WEBHOOK_DELIVERY_LIST,
  WEBHOOK_LIST,
  webhookCreateSchema,
  type WebhookDeliveryView,
  type WebhookView,
  type WebhookWrite,
  webhookWriteOf,
  webhookWriteSchema,
} from '../modules/webhooks/webhook.dto';
import { WebhookService } from '../modules/webhooks/webhook.service';
import { GrpcEdge } from './grpc-edge';
import {
  etagOf,
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  maskedUpdate,
  nextPageToken,
  required,
  timestampOf,
  uuidOf,
} from './grpc-request';
import { nameOf } from './proxy-messages';

const SUBSCRIPTION_PATHS = fieldPaths('subscription', { secret: 'signing_secret' });

/** A failed attempt is retried until the subscription's attempts run out, then dead-lettered. */
const DELIVERY_STATUSES: Readonly<Record<DeliveryStatusName, WebhookDeliveryStatus>> = {
  pending: WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_PENDING,
  succeeded: WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_SUCCEEDED,
  failed: WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_RETRYING,
  dead_lettered: WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_DEAD_LETTERED,
};

/** Proto field → the writable fields of the REST representation it sets (the secret never changes). */
const WRITABLE: Readonly<Record<string, readonly (keyof WebhookWrite)[]>> = {
  name: ['name'],
  url: ['url'],
  event_types: ['eventTypes'],
  enabled: ['enabled'],
  description: ['description'],
  max_attempts: ['maxAttempts'],
};

/** A subscription; the signing secret only in the answer to its creation. */
function subscriptionMessage(view: WebhookView, signingSecret = ''): WebhookSubscription {
  return {
    id: view.id,
    name: view.name,
    url: view.url,
    eventTypes: view.eventTypes,
    enabled: view.enabled,
    description: view.description,
    maxAttempts: view.maxAttempts,
    signingSecret,
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

/** One delivery attempt; `replay_of_id` names the delivery an operator replayed with it. */
export function deliveryMessage(view: WebhookDeliveryView): WebhookDelivery {
  return {
    id: view.id,
    subscriptionId: view.subscriptionId,
    eventId: view.eventId,
    eventType: view.eventType,
    status: DELIVERY_STATUSES[view.status],
    attempts: view.attempt,
    responseStatusCode: view.responseStatus ?? 0,
    error: view.error ?? '',
    nextAttemptTime: timestampOf(view.nextAttemptAt),
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    replayOfId: view.replayOfId ?? '',
  };
}

/** The subscription fields as the REST representation writes them; `max_attempts` 0 takes the default. */
function subscriptionFields(subscription: WebhookSubscription): Record<string, unknown> {
  return {
    name: subscription.name,
    url: subscription.url,
    eventTypes: subscription.eventTypes,
    enabled: subscription.enabled,
    description: subscription.description,
    ...(subscription.maxAttempts === 0 ? {} : { maxAttempts: subscription.maxAttempts }),
  };
}

type WebhookHandlers = Pick<
  ControlPlaneServiceServer,
  | 'createWebhookSubscription'
  | 'getWebhookSubscription'
  | 'listWebhookSubscriptions'
  | 'updateWebhookSubscription'
  | 'deleteWebhookSubscription'
  | 'listWebhookDeliveries'
>;

/** The webhook subscription and delivery RPCs over WebhookService. */
@Injectable()
export class WebhookGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly webhooks: WebhookService,
  ) {}

  handlers(): WebhookHandlers {
    const { edge, webhooks } = this;
    return {
      createWebhookSubscription: edge.unary({ role: 'operator' }, async (principal, request) => {
        const subscription = required(request.subscription, 'subscription');
        const created = await inRequestTerms(SUBSCRIPTION_PATHS, () =>
          webhooks.create(
            principal,
            parseRequest(
              webhookCreateSchema,
              {
                ...subscriptionFields(subscription),
                ...(subscription.signingSecret === '' ? {} : { secret: subscription.signingSecret }),
              },
              'body',
            ),
          ),
        );
        return { subscription: subscriptionMessage(created, created.secret) };
      }),
      getWebhookSubscription: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        subscription: subscriptionMessage(await webhooks.get(principal, uuidOf(request.id, 'id'))),
      })),
      listWebhookSubscriptions: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const page = await webhooks.list(principal, await listQueryOf(WEBHOOK_LIST, request));
        return {
          subscriptions: page.items.map((view) => subscriptionMessage(view)),
          nextPageToken: nextPageToken(page.nextCursor),
        };
      }),
      updateWebhookSubscription: edge.unary({ role: 'operator' }, async (principal, request) => {
        const subscription = required(request.subscription, 'subscription');
        if (subscription.signingSecret !== '') {
          throw invalidField('subscription.signing_secret', 'is set at creation and never changes');
        }
        const id = uuidOf(subscription.id, 'subscription.id');
        const updated = await maskedUpdate({
          etag: request.etag,
          updateMask: request.updateMask,
          writable: WRITABLE,
          fieldPathOf: SUBSCRIPTION_PATHS,
          read: () => webhooks.get(principal, id),
          writeOf: webhookWriteOf,
          desired: (base) =>
            parseRequest(webhookWriteSchema, { ...base, ...subscriptionFields(subscription) }, 'body'),
          replace: (version, write) => webhooks.replace(principal, id, version, write),
        });
        return { subscription: subscriptionMessage(updated) };
      }),
      deleteWebhookSubscription: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.id, 'id');
        const version = await expectedVersion(request.etag, () => webhooks.get(principal, id));
        await webhooks.delete(principal, id, version);
        return {};
      }),
      listWebhookDeliveries: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const query = await listQueryOf(WEBHOOK_DELIVERY_LIST, request, {
          status: {
            field: 'status',
            value:
              request.status === WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_UNSPECIFIED
                ? undefined
                : nameOf(DELIVERY_STATUSES, request.status, 'status'),
          },
        });
        const page = await webhooks.listDeliveries(
          principal,
          uuidOf(request.subscriptionId, 'subscription_id'),
          query,
        );
        return { deliveries: page.items.map(deliveryMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
    };
  }
}
