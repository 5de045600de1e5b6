import { randomUUID } from 'node:crypto';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { createEvent, type DomainEvent, proxyReportsOf, type ProxyReportType } from '@envoy-fleet/domain';
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

type ProxyEvent = DomainEvent<ProxyReportType>;

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

/** Where a test bed's Redis keys and NATS subjects live: its own prefix and namespace. */
export interface TestBedScope {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly natsNamespace: string;
}

/**
 * The control-plane side of xds-server tests against the real Redis and NATS (JetStream), under a key
 * prefix and NATS namespace of its own: publishes snapshots as fleet-manager does, collects the proxy
 * events the server publishes, and opens raw xDS streams to the server at `address`.
 */
export class XdsTestBed {
  readonly events: ProxyEvent[] = [];
  private readonly clients: { close(): void }[] = [];
  private eventWaiters: (() => void)[] = [];

  protected constructor(
    readonly store: RedisSnapshotStore,
    readonly bus: JetStreamEventBus,
    readonly scope: TestBedScope,
    private readonly addressOf: () => string,
  ) {}

  /** A test bed for a server started elsewhere (a process), once it is given the scope. */
  static async open(label: string, addressOf: () => string): Promise<XdsTestBed> {
    const { store, bus, scope } = await connect(label, TEST_REDIS_URL);
    const bed = new XdsTestBed(store, bus, scope, addressOf);
    await bed.collectEvents();
    return bed;
  }

  protected async collectEvents(): Promise<void> {
    await this.bus.consume({
      durable: 'xds-test-proxy-events',
      types: ['proxy.reports'],
      handler: (batch) => {
        this.events.push(...proxyReportsOf(batch));
        for (const wake of this.eventWaiters.splice(0)) wake();
        return Promise.resolve();
      },
    });
  }

  get address(): string {
    return this.addressOf();
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

  /** Closes the clients opened so far (their streams end). */
  closeClients(): void {
    for (const client of this.clients.splice(0)) client.close();
  }

  async close(): Promise<void> {
    this.closeClients();
    await this.bus.close();
    await this.store.close().catch(() => undefined);
    await deleteRedisKeys(this.scope.keyPrefix, this.scope.redisUrl).catch(() => undefined);
  }
}

/** An xds-server in this process, started on a test bed of its own. */
export class XdsHarness extends XdsTestBed {
  private constructor(
    readonly server: XdsServer,
    readonly registry: Registry,
    store: RedisSnapshotStore,
    bus: JetStreamEventBus,
    scope: TestBedScope,
  ) {
    super(store, bus, scope, () => `127.0.0.1:${server.port}`);
  }

  static async start(
    overrides: Partial<XdsConfig> = {},
    label = 'xds-server',
    redisUrl = TEST_REDIS_URL,
  ): Promise<XdsHarness> {
    const { store, bus, scope } = await connect(label, redisUrl);
    const logger: Logger = createLogger({ serviceName: 'xds-server-test', level: 'error' });
    const registry = new Registry();
    const server = new XdsServer({ ...TEST_XDS_CONFIG, ...overrides }, { store, bus, registry, logger });
    const harness = new XdsHarness(server, registry, store, bus, scope);
    await harness.collectEvents();
    await server.start();
    return harness;
  }

  override async close(): Promise<void> {
    this.closeClients();
    await this.server.stop();
    await super.close();
  }
}

async function connect(label: string, redisUrl: string) {
  const scope: TestBedScope = {
    redisUrl,
    keyPrefix: uniqueRedisPrefix(label),
    natsNamespace: `t${randomUUID().replaceAll('-', '').slice(0, 12)}`,
  };
  const store = await RedisSnapshotStore.connect({
    url: redisUrl,
    keyPrefix: scope.keyPrefix,
    commandTimeoutMs: 1_000,
  });
  const bus = JetStreamEventBus.create({
    servers: TEST_NATS_URL,
    name: 'xds-server-test',
    namespace: scope.natsNamespace,
  });
  await bus.provisionStreams();
  return { store, bus, scope };
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
