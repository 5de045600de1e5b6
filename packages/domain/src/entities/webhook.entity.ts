import { type EventType } from '../events';
import { type JsonObject } from '../values/json.value';

/** Where events are POSTed, signed per Standard Webhooks with `secret`. */
export interface WebhookSubscription {
  readonly id: string;
  readonly tenantId: string;
  /** Unique within the tenant. */
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  /** The event types delivered; never empty. */
  readonly eventTypes: readonly EventType[];
  readonly enabled: boolean;
  /** Attempts before a delivery is dead-lettered. */
  readonly maxAttempts: number;
  readonly description: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'dead_lettered'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One attempt to deliver one event to one subscription [API-WH-003]. */
export interface WebhookDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  /** 1 for the first attempt; unique with (subscription, event). */
  readonly attempt: number;
  readonly status: WebhookDeliveryStatus;
  readonly payload: JsonObject;
  readonly responseStatus: number | null;
  /** The start of the response body, for diagnosis. */
  readonly responseBody: string | null;
  readonly error: string | null;
  readonly durationMs: number | null;
  readonly nextAttemptAt: Date | null;
  /** The delivery an operator replayed with this attempt; null for the event's own attempts and retries. */
  readonly replayOfId: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Whether a subscription receives events of `type`. */
export function subscriptionWants(
  subscription: Pick<WebhookSubscription, 'enabled' | 'eventTypes'>,
  type: EventType,
): boolean {
  return subscription.enabled && subscription.eventTypes.includes(type);
}
