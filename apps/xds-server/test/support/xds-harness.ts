import { randomUUID } from 'node:crypto';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { JetStreamEventBus } from '@envoy-fleet/messaging';
import {
  AggregatedDiscoveryServiceClient,
  DeltaDiscoveryRequest,
  DiscoveryRequest,
  Node,
  type DeltaDiscoveryResponse,
  type DiscoveryResponse,
} from '@envoy-fleet/proto/xds';
import { publishSnapshot, RedisSnapshotStore } from '@envoy-fleet/snapshot-store';
import { createLogger, type Logger } from '@envoy-fleet/telemetry';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import type { SnapshotResources } from '@envoy-fleet/xds';
import { Registry } from 'prom-client';
import { AUTO_REGISTER_DEFAULT_SERVING_KEY, type XdsConfig } from '../../src/xds/xds-config';
import { XdsServer } from '../../src/xds/xds-server';
import { TestStream } from './test-stream';

type ProxyEvent = DomainEvent<'proxy.connected' | 'proxy.disconnected' | 'proxy.ack' | 'proxy.nack'>;

export const TEST_XDS_CONFIG: XdsConfig = {
  host: '127.0.0.1',
  port: 0,
  maxStreams: 1_000,
  maxConcurrentInitialPushes: 50,
  keepaliveTimeMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  maxConnectionAgeMs: undefined,
  maxConnectionAgeGraceMs: 1_000,
  autoRegister: false,
  autoRegisterServingKey: AUTO_REGISTER_DEFAULT_SERVING_KEY,
  tls: undefined,
  cacheMaxBytes: 64 * 1024 * 1024,
  encodedCacheMaxBytes: 64 * 1024 * 1024,
  resyncIntervalMs: 60_000,
  storeRetryDelayMs: 100,
  shutdownGraceMs: 2_000,
  reflection: false,
  replicaId: 'test-replica',
};

/**
 * An xds-server in this process against the real Redis and NATS (JetStream), each suite under its own
 * Redis key prefix and NATS namespace, with helpers to publish snapshots and open raw xDS streams.
 */
export class XdsHarness {
  readonly events: ProxyEvent[] = [];
  private readonly clients: { close(): void }[] = [];
  private eventWaiters: (() => void)[] = [];

  private constructor(
    readonly server: XdsServer,
    readonly store: RedisSnapshotStore,
    readonly bus: JetStreamEventBus,
    readonly registry: Registry,
    private readonly keyPrefix: string,
    private readonly redisUrl: string,
  ) {}

  static async start(
    overrides: Partial<XdsConfig> = {},
    label = 'xds-server',
    redisUrl = TEST_REDIS_URL,
  ): Promise<XdsHarness> {
    const keyPrefix = uniqueRedisPrefix(label);
    const store = await RedisSnapshotStore.connect({ url: redisUrl, keyPrefix, commandTimeoutMs: 1_000 });
    const namespace = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const logger: Logger = createLogger({ serviceName: 'xds-server-test', level: 'error' });
    const bus = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'xds-server-test', namespace });
    await bus.provisionStreams();
    const registry = new Registry();
    const server = new XdsServer({ ...TEST_XDS_CONFIG, ...overrides }, { store, bus, registry, logger });
    const harness = new XdsHarness(server, store, bus, registry, keyPrefix, redisUrl);
    await bus.consume({
      durable: 'xds-test-proxy-events',
      types: ['proxy.connected', 'proxy.disconnected', 'proxy.ack', 'proxy.nack'],
      handler: (event) => {
        harness.events.push(event);
        for (const wake of harness.eventWaiters.splice(0)) wake();
        return Promise.resolve();
      },
    });
    await server.start();
    return harness;
  }

  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** Publishes resources under a serving key (pointing `proxies` at it) and announces it as fleet-manager does. */
  async publish(servingKey: string, resources: SnapshotResources, proxies: readonly string[] = []) {
    const published = await publishSnapshot(this.store, { servingKey, resources, proxies });
    await this.announce([servingKey]);
    return published;
  }

  async announce(servingKeys: string[]): Promise<void> {
    await this.bus.publish(
      createEvent('snapshot.updated', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: 'test',
        payload: { servingKeys },
      }),
    );
  }

  ads(
    channelCredentials: ChannelCredentials = credentials.createInsecure(),
  ): AggregatedDiscoveryServiceClient {
    const client = new AggregatedDiscoveryServiceClient(this.address, channelCredentials);
    this.clients.push(client);
    return client;
  }

  sotw(client = this.ads()): TestStream<DiscoveryRequest, DiscoveryResponse> {
    return new TestStream(client.streamAggregatedResources());
  }

  delta(client = this.ads()): TestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    return new TestStream(client.deltaAggregatedResources());
  }

  /** Waits until a proxy event matches. */
  async event(matches: (event: ProxyEvent) => boolean, timeoutMs = 5_000): Promise<ProxyEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(matches);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching proxy event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.eventWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await this.server.stop();
    await this.bus.close();
    await this.store.close().catch(() => undefined);
    await deleteRedisKeys(this.keyPrefix, this.redisUrl).catch(() => undefined);
  }
}

/** What tests say about the node: the rest takes its default values. */
export interface NodeInit {
  readonly id: string;
  readonly cluster?: string;
  readonly clientFeatures?: string[];
}

type RequestInit<T> = Omit<Partial<T>, 'node'> & { readonly node?: NodeInit };

/** A SotW request with defaults for what a test does not care about. */
export function sotwRequest(init: RequestInit<DiscoveryRequest>): DiscoveryRequest {
  return { ...DiscoveryRequest.fromPartial({}), ...init, node: init.node && Node.fromPartial(init.node) };
}

export function deltaRequest(init: RequestInit<DeltaDiscoveryRequest>): DeltaDiscoveryRequest {
  return {
    ...DeltaDiscoveryRequest.fromPartial({}),
    ...init,
    node: init.node && Node.fromPartial(init.node),
  };
}

/** A node id no other test uses. */
export function uniqueNodeId(label = 'proxy'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
