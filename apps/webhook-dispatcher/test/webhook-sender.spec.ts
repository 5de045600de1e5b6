import { freePort } from '@envoy-fleet/test-kit/net';
import { TargetPolicy } from '../src/delivery/target-policy';
import { RESPONSE_BODY_LIMIT_BYTES, WebhookSender } from '../src/delivery/webhook-sender';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver';

const body = JSON.stringify({ id: 'evt', type: 'group.changed' });
const headers = { 'webhook-id': 'evt', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };

describe(WebhookSender.name, () => {
  const loopback = new TargetPolicy({ allowLoopback: true, deniedCidrs: [] });
  const receivers: WebhookReceiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  afterAll(async () => {
    await Promise.all(receivers.map((started) => started.close()));
  });

  it('posts the body with its headers and reads the answer', async () => {
    const endpoint = await receiver(() => ({ status: 202, body: 'queued' }));

    const result = await new WebhookSender(loopback, 5_000).send({
      url: new URL(endpoint.url),
      headers,
      body,
    });

    expect(result).toEqual({ kind: 'response', status: 202, body: 'queued', retryAfter: undefined });
    expect(endpoint.received).toEqual([
      {
        headers: expect.objectContaining({
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'envoy-fleet-webhook-dispatcher/1',
        }),
        body,
      },
    ]);
  });

  it('keeps only the start of a long answer', async () => {
    const endpoint = await receiver(() => ({ status: 500, body: 'x'.repeat(100_000) }));

    const result = await new WebhookSender(loopback, 5_000).send({
      url: new URL(endpoint.url),
      headers,
      body,
    });

    expect(result).toMatchObject({ kind: 'response', status: 500 });
    expect(result.kind === 'response' ? result.body : '').toBe('x'.repeat(RESPONSE_BODY_LIMIT_BYTES));
  });

  it('does not follow a redirect', async () => {
    const target = await receiver();
    const redirecting = await receiver(() => ({ status: 307, headers: { location: target.url } }));

    const result = await new WebhookSender(loopback, 5_000).send({
      url: new URL(redirecting.url),
      headers,
      body,
    });

    expect(result).toMatchObject({ kind: 'response', status: 307 });
    expect(target.received).toEqual([]);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const endpoint = await receiver(() => new Promise(() => undefined));

    const result = await new WebhookSender(loopback, 300).send({ url: new URL(endpoint.url), headers, body });

    expect(result).toEqual({ kind: 'error', error: 'no complete response within 300 ms', refused: false });
  });

  it('reports a connection that is refused', async () => {
    const port = await freePort();

    const result = await new WebhookSender(loopback, 5_000).send({
      url: new URL(`http://127.0.0.1:${port}/hooks`),
      headers,
      body,
    });

    expect(result).toEqual({
      kind: 'error',
      error: `connect ECONNREFUSED 127.0.0.1:${port}`,
      refused: false,
    });
  });

  it('refuses a host name that resolves to a refused address, before connecting', async () => {
    const endpoint = await receiver();
    const production = new TargetPolicy({ allowLoopback: false, deniedCidrs: [] });
    const url = new URL(endpoint.url.replace('127.0.0.1', 'localhost'));

    const result = await new WebhookSender(production, 5_000).send({ url, headers, body });

    expect(result).toEqual({
      kind: 'error',
      error: expect.stringMatching(/^refused to deliver to localhost: (127\.0\.0\.1|::1) is loopback/),
      refused: true,
    });
    expect(endpoint.received).toEqual([]);
  });
});
