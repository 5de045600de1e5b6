import { createHmac, randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { signedHeaders } from './webhook-signature';

describe(signedHeaders.name, () => {
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  const body = JSON.stringify({ id: 'evt', type: 'config.version.created', payload: { version: 2 } });

  it('signs "id.timestamp.body" with HMAC-SHA256 of the decoded secret, as the specification says', () => {
    const at = new Date('2026-11-25T10:00:00.750Z');

    const headers = signedHeaders(secret, 'msg_1', at, body);

    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe('1795600800');
    const expected = createHmac('sha256', key).update(`msg_1.1795600800.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('is accepted by the standardwebhooks verifier, and only for the same body and secret', () => {
    const headers = signedHeaders(secret, 'msg_2', new Date(), body);

    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });
});
