import {
  type handleBidiStreamingCall,
  type handleUnaryCall,
  type ServerDuplexStream,
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { EventBus, Subscription } from '@envoy-fleet/messaging';
import {
  type ClientStatusRequest,
  type ClientStatusResponse,
  ClientStatusDiscoveryServiceService,
} from '@envoy-fleet/proto/xds';
import type { SnapshotStore } from '@envoy-fleet/snapshot-store';
import type { Logger, ReadinessCheck } from '@envoy-fleet/telemetry';
import { HealthImplementation } from 'grpc-health-check';
import type { Registry } from 'prom-client';
import { SnapshotCache } from './cache/snapshot-cache';
import { clientStatus, UnsupportedClientStatusRequest } from './csds/client-status';
import { ProxyEvents } from './observability/proxy-events';
import { XdsMetrics } from './observability/xds-metrics';
import { InitialPushGate, StreamLimit } from './transport/admission';
import { DELTA, SOTW } from './transport/protocol-variants';
import { addReflection } from './transport/reflection';
import { ResponseEncoder } from './transport/response-encoder';
import { ADS_SERVICE, SINGLE_TYPE_SERVICES } from './transport/service-definitions';
import {
  type ManagedStream,
  type ProtocolVariant,
  type RawRequest,
  type SessionDependencies,
  type SessionResponse,
  StreamSession,
} from './transport/stream-session';
import { combineObservers } from './transport/xds-observer';
import type { XdsConfig } from './xds-config';

export interface XdsServerDependencies {
  readonly store: SnapshotStore;
  readonly bus: EventBus;
  readonly registry: Registry;
  readonly logger: Logger;
}

/** Names the health service reports on: '' is the server as a whole. */
const HEALTH_SERVICES = [
  '',
  'envoy.service.discovery.v3.AggregatedDiscoveryService',
  'envoy.service.listener.v3.ListenerDiscoveryService',
  'envoy.service.route.v3.RouteDiscoveryService',
  'envoy.service.cluster.v3.ClusterDiscoveryService',
  'envoy.service.endpoint.v3.EndpointDiscoveryService',
  'envoy.service.secret.v3.SecretDiscoveryService',
  'envoy.service.status.v3.ClientStatusDiscoveryService',
];

/**
 * The xDS gRPC server: ADS (SotW and delta), the single-type services, CSDS, gRPC health and reflection on
 * one port. Stateless apart from its streams: snapshots come from the store, changes are announced by
 * `snapshot.updated`, and every replica can serve every proxy.
 */
export class XdsServer {
  private readonly server: Server;
  private readonly cache: SnapshotCache;
  private readonly health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'SERVING'])),
  );
  private readonly sessions = new Set<ManagedStream>();
  private readonly streamLimit: StreamLimit;
  private readonly metrics: XdsMetrics;
  private readonly proxyEvents: ProxyEvents;
  private readonly sessionDependencies: SessionDependencies;
  private subscription: Subscription | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private boundPort: number | undefined;

  constructor(
    private readonly config: XdsConfig,
    private readonly deps: XdsServerDependencies,
  ) {
    this.server = new Server({
      'grpc.keepalive_time_ms': config.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': config.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      // Envoy's and gRPC's default keepalive pings must not be taken as abuse.
      'grpc.http2.min_ping_interval_without_data_ms': 10_000,
      ...(config.maxConnectionAgeMs === undefined
        ? {}
        : {
            'grpc.max_connection_age_ms': config.maxConnectionAgeMs,
            'grpc.max_connection_age_grace_ms': config.maxConnectionAgeGraceMs,
          }),
    });
    this.cache = new SnapshotCache(deps.store, deps.logger, {
      maxCachedBytes: config.cacheMaxBytes,
      retryDelayMs: config.storeRetryDelayMs,
    });
    this.streamLimit = new StreamLimit(config.maxStreams);
    this.metrics = new XdsMetrics(deps.registry);
    this.proxyEvents = new ProxyEvents(deps.bus, config.replicaId, deps.logger);
    this.sessionDependencies = {
      cache: this.cache,
      encoder: new ResponseEncoder({
        controlPlaneId: config.replicaId,
        maxCachedBytes: config.encodedCacheMaxBytes,
      }),
      observer: combineObservers([this.metrics, this.proxyEvents]),
      initialPushes: new InitialPushGate(config.maxConcurrentInitialPushes),
      autoRegisterServingKey: config.autoRegister ? config.autoRegisterServingKey : undefined,
      requireClientIdentity: config.tls !== undefined,
      logger: deps.logger,
      now: () => performance.now(),
    };
    this.addServices();
  }

  /** The port the server listens on (useful with XDS_PORT=0). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the xDS server is not started');
    return this.boundPort;
  }

  get streamCount(): number {
    return this.sessions.size;
  }

  /** Ready unless snapshots could not be refreshed from the store (streams then keep what they hold). */
  readinessCheck(): ReadinessCheck {
    return {
      name: 'xds-snapshots',
      check: () =>
        this.cache.degraded
          ? Promise.reject(new Error('degraded: some snapshots cannot be refreshed from the snapshot store'))
          : Promise.resolve(),
    };
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe('snapshot.updated', (event) =>
      this.cache.refresh(event.payload.servingKeys),
    );
    this.resyncTimer = setInterval(() => void this.cache.resyncAll(), this.config.resyncIntervalMs);
    this.resyncTimer.unref();
    const credentials =
      this.config.tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(
            this.config.tls.ca,
            [{ cert_chain: this.config.tls.cert, private_key: this.config.tls.key }],
            true,
          );
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${this.config.host}:${this.config.port}`, credentials, (error, port) =>
        error
          ? reject(
              new Error(`cannot listen for xDS on ${this.config.host}:${this.config.port}: ${error.message}`),
            )
          : resolve(port),
      );
    });
    this.deps.logger.info(
      { port: this.boundPort, tls: this.config.tls !== undefined },
      'xDS server listening',
    );
  }

  /**
   * Stops accepting streams, sends GOAWAY, ends every stream with OK so its client reconnects (to another
   * replica), and waits for them to close until the grace period ends; then closes what is left.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const name of HEALTH_SERVICES) this.health.setStatus(name, 'NOT_SERVING');
    clearInterval(this.resyncTimer);
    await this.subscription?.stop();
    const drained = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    for (const session of [...this.sessions]) session.end();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs);
    });
    if ((await Promise.race([drained, deadline])) === 'timeout') {
      this.deps.logger.warn(
        { streams: this.sessions.size },
        'xDS streams still open after the grace period: closing them',
      );
      this.server.forceShutdown();
    }
    clearTimeout(timer);
    // The disconnections (and last ACKs) of the streams just ended go out before the bus closes.
    await this.proxyEvents.flush();
    this.cache.close();
    this.deps.logger.info('xDS server stopped');
  }

  private addServices(): void {
    this.server.addService(ADS_SERVICE, this.streamHandlers(ADS_SERVICE, undefined));
    for (const service of SINGLE_TYPE_SERVICES) {
      this.server.addService(service.definition, this.streamHandlers(service.definition, service.typeUrl));
    }
    this.server.addService(ClientStatusDiscoveryServiceService, this.csdsHandlers());
    this.health.addToServer(this.server);
    if (this.config.reflection) addReflection(this.server);
  }

  /** `delta*` methods speak the incremental protocol, `stream*` methods the state of the world. */
  private streamHandlers(definition: object, typeUrl: string | undefined): UntypedServiceImplementation {
    const handlers: Record<string, handleBidiStreamingCall<never, Buffer>> = {};
    for (const method of Object.keys(definition)) {
      handlers[method] = method.startsWith('delta')
        ? (call) => this.open(call, DELTA, typeUrl)
        : (call) => this.open(call, SOTW, typeUrl);
    }
    return handlers;
  }

  private open<Raw extends RawRequest, Request, Response extends SessionResponse>(
    call: ServerDuplexStream<Raw, Buffer>,
    variant: ProtocolVariant<Raw, Request, Response>,
    typeUrl: string | undefined,
  ): void {
    if (this.stopping !== undefined) {
      call.emit('error', { code: GrpcStatus.UNAVAILABLE, details: 'this xDS replica is shutting down' });
      return;
    }
    if (!this.streamLimit.tryAcquire()) {
      this.metrics.refusedStreams.inc({ reason: 'stream_limit' });
      call.emit('error', {
        code: GrpcStatus.RESOURCE_EXHAUSTED,
        details: `this xDS replica serves its maximum of ${this.streamLimit.max} streams; retry another replica`,
      });
      return;
    }
    const session = new StreamSession(call, variant, this.sessionDependencies, typeUrl, (closed) => {
      this.sessions.delete(closed);
      this.streamLimit.release();
    });
    this.sessions.add(session);
  }

  private csdsHandlers(): UntypedServiceImplementation {
    const answer = (request: ClientStatusRequest): ClientStatusResponse =>
      clientStatus(request, this.sessions);
    const fetchClientStatus: handleUnaryCall<ClientStatusRequest, ClientStatusResponse> = (
      call,
      callback,
    ) => {
      try {
        callback(null, answer(call.request));
      } catch (error) {
        callback({ code: codeOf(error), details: (error as Error).message });
      }
    };
    const streamClientStatus: handleBidiStreamingCall<ClientStatusRequest, ClientStatusResponse> = (call) => {
      call.on('data', (request: ClientStatusRequest) => {
        try {
          call.write(answer(request));
        } catch (error) {
          call.emit('error', { code: codeOf(error), details: (error as Error).message });
        }
      });
      call.on('end', () => call.end());
    };
    return { fetchClientStatus, streamClientStatus };
  }
}

function codeOf(error: unknown): GrpcStatus {
  return error instanceof UnsupportedClientStatusRequest ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL;
}
