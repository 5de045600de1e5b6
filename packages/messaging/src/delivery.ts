import type { Delivery, RedeliveryPolicy } from './event-bus';
import { MessageDecodeError } from './message-codec';
import { withProcessSpan, type MessageHeaders } from './trace-context';

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_ACK_WAIT_MS = 30_000;
const FIRST_REDELIVERY_DELAY_MS = 250;
const MAX_REDELIVERY_DELAY_MS = 30_000;

/** A message as a consumer receives it, whatever the transport. */
export interface IncomingMessage {
  readonly subject: string;
  readonly body: string;
  readonly headers: MessageHeaders;
  /** 1 on the first delivery. */
  readonly attempt: number;
}

/** What the transport does with a message once the handler has run. */
export type DeliveryOutcome =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: string }
  | { readonly kind: 'dead-letter'; readonly error: string };

export interface ResolvedPolicy {
  /** Null: redeliver without limit (dead-letter consumers, which have nowhere further to send). */
  readonly maxDeliver: number | null;
  readonly ackWaitMs: number;
}

export function resolvePolicy(policy: RedeliveryPolicy): ResolvedPolicy {
  const maxDeliver = policy.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const ackWaitMs = policy.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new Error(`maxDeliver must be a positive integer, got ${maxDeliver}`);
  }
  if (!Number.isFinite(ackWaitMs) || ackWaitMs < 1_000) {
    throw new Error(`ackWaitMs must be at least 1000, got ${ackWaitMs}`);
  }
  return { maxDeliver, ackWaitMs };
}

/** Exponential backoff between attempts: 250 ms, 500 ms, 1 s, ... up to 30 s. */
export function redeliveryDelayMs(attempt: number): number {
  return Math.min(FIRST_REDELIVERY_DELAY_MS * 2 ** Math.max(attempt - 1, 0), MAX_REDELIVERY_DELAY_MS);
}

/**
 * Runs the handler for one delivery, inside the publisher's trace context, and decides the outcome.
 * A body that cannot be decoded goes straight to the dead letters: no retry would change it.
 */
export async function handleDelivery(
  message: IncomingMessage,
  consumer: string,
  policy: ResolvedPolicy,
  handle: (body: string, delivery: Delivery) => Promise<void>,
): Promise<DeliveryOutcome> {
  const { maxDeliver } = policy;
  if (maxDeliver !== null && message.attempt > maxDeliver) {
    return {
      kind: 'dead-letter',
      error: `delivered ${message.attempt} times, more than maxDeliver ${maxDeliver}`,
    };
  }
  try {
    const delivery: Delivery = { subject: message.subject, attempt: message.attempt };
    await withProcessSpan(message.subject, consumer, message.headers, () => handle(message.body, delivery));
    return { kind: 'ack' };
  } catch (error) {
    const description = describeError(error);
    if (error instanceof MessageDecodeError || (maxDeliver !== null && message.attempt >= maxDeliver)) {
      return { kind: 'dead-letter', error: description };
    }
    return { kind: 'retry', delayMs: redeliveryDelayMs(message.attempt), error: description };
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
