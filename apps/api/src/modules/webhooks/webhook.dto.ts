import { EVENT_CATALOGUE, type EventType, WEBHOOK_DELIVERY_STATUSES } from '@envoy-fleet/domain';
import type { WebhookDeliveryEntity, WebhookSubscriptionEntity } from '@envoy-fleet/db';
import { z } from 'zod';
import type { ListSpec } from '../../http/list-query';
import { versionedViewFields } from '../../http/request-schemas';

/** Durable events are the ones a subscription can receive; broadcast ones are not kept anywhere. */
export const WEBHOOK_EVENT_TYPES = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter(
  (type) => EVENT_CATALOGUE[type].delivery === 'durable',
);

const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

/** A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const webhookSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be "whsec_" followed by base64')
  .refine((secret) => {
    const bytes = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64').length;
    return bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES;
  }, `must encode ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);

const fields = {
  name: z.string().min(1).max(255),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(2000)
    .refine((url) => !/\s/.test(url), 'must not contain white space'),
  eventTypes: z
    .array(z.enum(WEBHOOK_EVENT_TYPES as [EventType, ...EventType[]]))
    .min(1, 'subscribe to at least one event type')
    .refine((types) => new Set(types).size === types.length, 'lists an event type twice'),
  enabled: z.boolean().default(true),
  maxAttempts: z.number().int().min(1).max(50).default(8),
  description: z.string().max(1000).default(''),
};

/** PUT (and PATCH after merging): the signing secret is set at creation and never changes here. */
export const webhookWriteSchema = z.strictObject(fields);
export type WebhookWrite = z.output<typeof webhookWriteSchema>;

export const webhookCreateSchema = z.strictObject({
  ...fields,
  secret: webhookSecretSchema
    .optional()
    .describe('the signing secret; generated when absent. Returned in this response only'),
});
export type WebhookCreate = z.output<typeof webhookCreateSchema>;

export const webhookViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  maxAttempts: z.number().int(),
  description: z.string(),
  ...versionedViewFields,
});
export type WebhookView = z.output<typeof webhookViewSchema>;

/** The response to a creation: the only time the signing secret is returned. */
export const createdWebhookViewSchema = webhookViewSchema.extend({
  secret: z.string().describe('the Standard Webhooks signing secret (whsec_...); shown once, store it now'),
});
export type CreatedWebhookView = z.output<typeof createdWebhookViewSchema>;

export function webhookView(subscription: WebhookSubscriptionEntity): WebhookView {
  return {
    id: subscription.id,
    name: subscription.name,
    url: subscription.url,
    eventTypes: subscription.eventTypes,
    enabled: subscription.enabled,
    maxAttempts: subscription.maxAttempts,
    description: subscription.description,
    version: subscription.version,
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
  };
}

export function webhookWriteOf(view: WebhookView): WebhookWrite {
  const { name, url, enabled, maxAttempts, description } = view;
  return { name, url, eventTypes: view.eventTypes as EventType[], enabled, maxAttempts, description };
}

export const WEBHOOK_LIST: ListSpec = {
  sortable: {
    name: { column: 'name', kind: 'text' },
    createdAt: { column: 'created_at', kind: 'timestamp' },
  },
  defaultSort: 'name',
  filters: { name: 'name', enabled: 'enabled' },
  labels: false,
};

export const webhookDeliveryViewSchema = z.object({
  id: z.uuid(),
  subscriptionId: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  attempt: z.number().int().describe('1 for the first attempt'),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  payload: z.record(z.string(), z.unknown()).describe('the event as delivered'),
  responseStatus: z.number().int().nullable(),
  responseBody: z.string().nullable().describe('the start of the response body'),
  error: z.string().nullable(),
  durationMs: z.number().int().nullable(),
  nextAttemptAt: z.iso
    .datetime()
    .nullable()
    .describe('pending: when the attempt is due; failed: when its retry is due; otherwise null'),
  replayOfId: z.uuid().nullable().describe('the delivery an operator replayed with this attempt'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookDeliveryView = z.output<typeof webhookDeliveryViewSchema>;

export function webhookDeliveryView(delivery: WebhookDeliveryEntity): WebhookDeliveryView {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    attempt: delivery.attempt,
    status: delivery.status,
    payload: delivery.payload,
    responseStatus: delivery.responseStatus,
    responseBody: delivery.responseBody,
    error: delivery.error,
    durationMs: delivery.durationMs,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    replayOfId: delivery.replayOfId,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

export const WEBHOOK_DELIVERY_LIST: ListSpec = {
  sortable: {
    createdAt: { column: 'created_at', kind: 'timestamp' },
    attempt: { column: 'attempt', kind: 'integer' },
  },
  defaultSort: '-createdAt',
  filters: { status: 'status', eventType: 'event_type', eventId: 'event_id' },
  labels: false,
};
