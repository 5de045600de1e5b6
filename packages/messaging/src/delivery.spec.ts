import { handleDelivery, redeliveryDelayMs, resolvePolicy, type IncomingMessage } from './delivery';
import { MessageDecodeError } from './message-codec';

const message = (attempt: number): IncomingMessage => ({
  subject: 'events.x',
  body: '{}',
  headers: {},
  attempt,
});
const policy = resolvePolicy({ maxDeliver: 3 });

describe(handleDelivery.name, () => {
  it('acknowledges when the handler succeeds and tells it the attempt', async () => {
    const seen: number[] = [];

    const outcome = await handleDelivery(message(2), 'group', policy, (_, delivery) => {
      seen.push(delivery.attempt);
      return Promise.resolve();
    });

    expect(outcome).toEqual({ kind: 'ack' });
    expect(seen).toEqual([2]);
  });

  it('retries with backoff while attempts remain', async () => {
    const outcome = await handleDelivery(message(2), 'group', policy, () =>
      Promise.reject(new Error('busy')),
    );

    expect(outcome).toEqual({ kind: 'retry', delayMs: redeliveryDelayMs(2), error: 'Error: busy' });
  });

  it('dead-letters after the last attempt', async () => {
    const outcome = await handleDelivery(message(3), 'group', policy, () =>
      Promise.reject(new Error('still busy')),
    );

    expect(outcome).toEqual({ kind: 'dead-letter', error: 'Error: still busy' });
  });

  it('dead-letters an undecodable message at once', async () => {
    const outcome = await handleDelivery(message(1), 'group', policy, () =>
      Promise.reject(new MessageDecodeError('not JSON')),
    );

    expect(outcome).toEqual({ kind: 'dead-letter', error: 'MessageDecodeError: not JSON' });
  });

  it('dead-letters without running the handler once past maxDeliver', async () => {
    const handler = jest.fn(() => Promise.resolve());

    const outcome = await handleDelivery(message(4), 'group', policy, handler);

    expect(outcome.kind).toBe('dead-letter');
    expect(handler).not.toHaveBeenCalled();
  });

  it('retries without limit when maxDeliver is null', async () => {
    const unbounded = { ...policy, maxDeliver: null };

    const outcome = await handleDelivery(message(50), 'group', unbounded, () =>
      Promise.reject(new Error('x')),
    );

    expect(outcome.kind).toBe('retry');
  });
});

describe(redeliveryDelayMs.name, () => {
  it('doubles from 250 ms and stops at 30 s', () => {
    expect([1, 2, 3, 4].map(redeliveryDelayMs)).toEqual([250, 500, 1_000, 2_000]);
    expect(redeliveryDelayMs(30)).toBe(30_000);
  });
});

describe(resolvePolicy.name, () => {
  it('fills in the defaults and rejects nonsense', () => {
    expect(resolvePolicy({})).toEqual({ maxDeliver: 5, ackWaitMs: 30_000 });
    expect(() => resolvePolicy({ maxDeliver: 0 })).toThrow('maxDeliver must be a positive integer, got 0');
    expect(() => resolvePolicy({ ackWaitMs: 10 })).toThrow('ackWaitMs must be at least 1000, got 10');
  });
});
