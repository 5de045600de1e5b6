import { Webhook } from 'standardwebhooks';

/**
 * The Standard Webhooks headers of one attempt: `webhook-id` is the event's id (the same on every
 * attempt and replay, so receivers can drop duplicates), `webhook-timestamp` the time of this attempt
 * in seconds, `webhook-signature` `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the `whsec_`
 * secret.
 */
export function signedHeaders(
  secret: string,
  messageId: string,
  timestamp: Date,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1_000)),
    'webhook-signature': new Webhook(secret).sign(messageId, timestamp, body),
  };
}
