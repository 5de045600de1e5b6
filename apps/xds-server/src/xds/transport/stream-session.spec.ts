import { EventEmitter } from 'node:events';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { DiscoveryRequest, DiscoveryResponse, Node } from '@envoy-fleet/proto/xds';
import { InMemorySnapshotStore, publishSnapshot } from '@envoy-fleet/snapshot-store';
import { createLogger } from '@envoy-fleet/telemetry';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { SnapshotCache } from '../cache/snapshot-cache';
import { InitialPushGate } from './admission';
import { SOTW } from './protocol-variants';
import { ResponseEncoder } from './response-encoder';
import { StreamSession } from './stream-session';
import type { XdsObserver } from './xds-observer';

/** A server call whose HTTP/2 stream is full: writes are held until the test flushes them. */
class BlockedCall extends EventEmitter {
  readonly written: DiscoveryResponse[] = [];
  private readonly pending: (() => void)[] = [];

  write(bytes: Buffer, flushed: () => void): boolean {
    this.written.push(DiscoveryResponse.decode(bytes));
    this.pending.push(flushed);
    return false;
  }

  /** The socket takes everything written so far. */
  flush(): void {
    for (const flushed of this.pending.splice(0)) flushed();
    this.emit('drain');
  }

  end(): void {}

  getAuthContext(): object {
    return {};
  }
}

const silentObserver: XdsObserver = {
  streamOpened: () => undefined,
  streamClosed: () => undefined,
  proxyConnected: () => undefined,
  proxyDisconnected: () => undefined,
  responseSent: () => undefined,
  ackReceived: () => undefined,
  nackReceived: () => undefined,
};

const bytes = (text: string) => Buffer.from(text);

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1)
    await new Promise((r) => setImmediate(r));
  if (!condition()) throw new Error('condition not met');
}

describe(StreamSession.name, () => {
  it('writes nothing while the stream cannot take it, then only the latest state', async () => {
    const store = new InMemorySnapshotStore();
    const logger = createLogger({ serviceName: 'test', level: 'fatal' });
    const cache = new SnapshotCache(store, logger, { maxCachedBytes: 1 << 20, retryDelayMs: 10 });
    await publishSnapshot(store, {
      servingKey: 't:a:k',
      resources: {
        cluster: [{ name: 'c', bytes: bytes('C') }],
        listener: [{ name: 'l', bytes: bytes('L1') }],
      },
      proxies: ['node'],
    });
    const call = new BlockedCall();
    new StreamSession(
      call as unknown as ServerDuplexStream<DiscoveryRequest, Buffer>,
      SOTW,
      {
        cache,
        encoder: new ResponseEncoder({ controlPlaneId: 'test', maxCachedBytes: 1 << 20 }),
        observer: silentObserver,
        initialPushes: new InitialPushGate(1),
        autoRegisterServingKey: undefined,
        requireClientIdentity: false,
        logger,
        now: () => 0,
      },
      undefined,
      () => undefined,
    );
    const request = (init: Partial<DiscoveryRequest>) =>
      call.emit('data', { ...DiscoveryRequest.fromPartial({}), ...init });

    request({ node: Node.fromPartial({ id: 'node' }), typeUrl: TYPE_URLS.cluster });
    await until(() => call.written.length === 1);
    const cds = call.written[0]!;
    request({ typeUrl: TYPE_URLS.cluster, versionInfo: cds.versionInfo, responseNonce: cds.nonce });
    request({ typeUrl: TYPE_URLS.listener });
    for (const version of ['L2', 'L3']) {
      await publishSnapshot(store, {
        servingKey: 't:a:k',
        resources: {
          cluster: [{ name: 'c', bytes: bytes('C') }],
          listener: [{ name: 'l', bytes: bytes(version) }],
        },
      });
      await cache.refresh(['t:a:k']);
    }
    expect(call.written).toHaveLength(1);

    call.flush();

    expect(call.written).toHaveLength(2);
    expect(call.written[1]?.typeUrl).toBe(TYPE_URLS.listener);
    expect(Buffer.from(call.written[1]!.resources[0]!.value).toString()).toBe('L3');
    cache.close();
  });
});
