import { EventEmitter } from 'node:events';
import { type AddressInfo } from 'node:net';
import { type JsonObject } from '@bufbuild/protobuf';
import {
  type ClientDuplexStream,
  connectivityState,
  type ServiceError,
  status as grpcStatus,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  type AggregatedDiscoveryServiceClient,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type Node,
  type Status,
} from '@envoy-fleet/proto/xds';
import { AdminServer, type AdminTarget } from './admin/admin-server';
import { bootstrapJson, buildConfigDump, type ConfigDumpQuery } from './admin/config-dump';
import { type SimBootstrap } from './bootstrap/sim-bootstrap';
import { ConfigStore, type IncomingResource, type ServerState } from './config/config-store';
import { NO_REJECTIONS, type RejectPolicy } from './config/reject-policy';
import { AdsChannelPool } from './protocol/ads-channel-pool';
import { DeltaSubscription } from './protocol/delta-subscription';
import { deltaResources, ResponseError, sotwResources } from './protocol/response-resources';
import { SotwSubscription } from './protocol/sotw-subscription';
import { scopes, SimStats, type StatScope } from './stats/sim-stats';
import {
  declareSubscriptionStats,
  recordConnectionFailure,
  recordUpdate,
  subscriptionScopes,
} from './stats/subscription-stats';
import { JitteredExponentialBackoff } from './xds/backoff';
import { type ResourceCatalog, sharedCatalog } from './xds/resource-catalog';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  isWildcardType,
  isXdsType,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
  XDS_TYPES,
  type XdsTypeUrl,
} from './xds/xds-types';

/** gRPC INTERNAL: the code Envoy puts in every NACK's `error_detail` (GrpcMuxImpl, DeltaSubscriptionState). */
export const NACK_STATUS_CODE = grpcStatus.INTERNAL;
/** Envoy's Config::Utility::truncateGrpcStatusMessage limit. */
const MAX_NACK_MESSAGE_LENGTH = 4096;

export interface AckEvent {
  readonly typeUrl: XdsTypeUrl;
  /** SotW `version_info`, or the delta response's `system_version_info`. */
  readonly version: string;
  readonly nonce: string;
}

export interface NackEvent extends AckEvent {
  /** The version this Envoy keeps using (SotW: the last accepted one). */
  readonly message: string;
}

export interface DisconnectEvent {
  readonly code: number;
  readonly details: string;
  /** Delay before the next attempt, in milliseconds. */
  readonly retryInMs: number;
}

export interface EnvoySimEvents {
  connected: [];
  disconnected: [DisconnectEvent];
  request: [DiscoveryRequest | DeltaDiscoveryRequest];
  /** Every response, as received, before it is applied. */
  response: [DiscoveryResponse | DeltaDiscoveryResponse];
  ack: [AckEvent];
  nack: [NackEvent];
  state: [ServerState];
  /** `POST /quitquitquit` was called: the owner decides what stopping means (the CLI exits). */
  quit: [];
}

export interface TypeState {
  /** Last accepted version (SotW) or system version (delta); '' before the first ACK. */
  readonly version: string;
  readonly nonce: string;
  readonly subscribed: boolean;
  readonly resourceNames: readonly string[];
  /** Resource name → version held. */
  readonly resources: Readonly<Record<string, string>>;
  readonly lastNack?: NackEvent;
}

export interface SimState {
  readonly nodeId: string;
  readonly serverState: ServerState;
  readonly connected: boolean;
  readonly types: Readonly<Record<XdsTypeUrl, TypeState>>;
}

export interface EnvoySimOptions {
  readonly bootstrap: SimBootstrap;
  readonly rejectPolicy?: RejectPolicy;
  /** Channels shared with other simulated Envoys; by default this one gets its own channel. */
  readonly channelPool?: AdsChannelPool;
  readonly catalog?: ResourceCatalog;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

type AdsStream =
  | { readonly mode: 'sotw'; readonly call: ClientDuplexStream<DiscoveryRequest, DiscoveryResponse> }
  | {
      readonly mode: 'delta';
      readonly call: ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
    };

interface TypeProtocol {
  readonly sotw: SotwSubscription;
  readonly delta: DeltaSubscription;
  subscribed: boolean;
  systemVersion: string;
  lastNonce: string;
  lastNack?: NackEvent;
}

function nackStatus(message: string): Status {
  const truncated =
    message.length > MAX_NACK_MESSAGE_LENGTH
      ? `${message.slice(0, MAX_NACK_MESSAGE_LENGTH)}...(truncated)`
      : message;
  return { code: NACK_STATUS_CODE, message: truncated, details: [] };
}

function buildNode(bootstrap: SimBootstrap): Node {
  const { node } = bootstrap;
  const [major = 0, minor = 0, patch = 0] = node.userAgentVersion.split('.').map(Number);
  return {
    id: node.id,
    cluster: node.cluster,
    metadata: { ...node.metadata },
    dynamicParameters: {},
    locality: {
      region: node.locality.region ?? '',
      zone: node.locality.zone ?? '',
      subZone: node.locality.subZone ?? '',
    },
    userAgentName: node.userAgentName,
    userAgentBuildVersion: {
      version: { majorNumber: major, minorNumber: minor, patch },
      metadata: undefined,
    },
    extensions: [],
    clientFeatures: [...node.clientFeatures],
    listeningAddresses: [],
  };
}

/**
 * One simulated Envoy: an ADS client (state of the world or delta) that subscribes, validates, ACKs
 * and NACKs as Envoy does, keeps its config and stats, and reconnects with Envoy's backoff.
 */
export class EnvoySim extends EventEmitter<EnvoySimEvents> implements AdminTarget {
  readonly stats = new SimStats();
  readonly store: ConfigStore;
  readonly node: Node;
  private readonly types = new Map<XdsTypeUrl, TypeProtocol>();
  /** Types in the order they were first subscribed: the order requests go out on a new stream. */
  private readonly subscriptionOrder: XdsTypeUrl[] = [];
  private readonly fetchTimers = new Map<string, NodeJS.Timeout>();
  private readonly pool: AdsChannelPool;
  private readonly ownsPool: boolean;
  private readonly catalog: ResourceCatalog;
  private readonly backoff: JitteredExponentialBackoff;
  private client?: AggregatedDiscoveryServiceClient;
  /** Which of the bootstrap's xDS servers the current (or next) stream goes to. */
  private endpoint = 0;
  private stream?: AdsStream;
  private reconnectTimer?: NodeJS.Timeout;
  private firstRequestOnStream = true;
  private connectedNow = false;
  private running = false;
  private lastServerState: ServerState;
  private readonly startedAt = Date.now();
  private admin?: AdminServer;
  private adminInfo?: AddressInfo;

  constructor(readonly options: EnvoySimOptions) {
    super();
    this.setMaxListeners(0);
    this.node = buildNode(options.bootstrap);
    this.store = new ConfigStore(this.stats, options.rejectPolicy ?? NO_REJECTIONS);
    this.lastServerState = this.store.serverState();
    this.ownsPool = options.channelPool === undefined;
    this.pool = options.channelPool ?? new AdsChannelPool(options.bootstrap.xds, 1);
    this.catalog = options.catalog ?? sharedCatalog;
    this.backoff = new JitteredExponentialBackoff(options.backoff?.baseMs, options.backoff?.maxMs);
    for (const typeUrl of XDS_TYPES) {
      this.types.set(typeUrl, {
        sotw: new SotwSubscription(typeUrl),
        delta: new DeltaSubscription(typeUrl),
        subscribed: false,
        systemVersion: '',
        lastNonce: '',
      });
    }
    this.stats.set(scopes.plain('control_plane.'), 'connected_state', 0);
    this.stats.set(scopes.plain('server.'), 'state', 2);
    this.stats.set(scopes.plain('server.'), 'live', 0);
  }

  get nodeId(): string {
    return this.options.bootstrap.node.id;
  }

  get mode(): 'sotw' | 'delta' {
    return this.options.bootstrap.xds.mode;
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  /** `host:port` of the xDS server the current (or next) stream goes to. */
  get xdsTarget(): string {
    return this.pool.targetOf(this.endpoint);
  }

  /** Opens the admin endpoint (when the bootstrap has one), connects and subscribes CDS, as Envoy starts. */
  async start(): Promise<void> {
    if (this.running) return;
    const adminConfig = this.options.bootstrap.admin;
    if (adminConfig) {
      this.admin = new AdminServer(this);
      this.adminInfo = await this.admin.listen(adminConfig.port, adminConfig.address);
    }
    this.running = true;
    this.client = this.pool.acquire(this.endpoint);
    this.subscribe(CLUSTER_TYPE);
    this.openStream();
  }

  /** Where the admin endpoint listens (the real port when the bootstrap asked for port 0). */
  get adminAddress(): AddressInfo | undefined {
    return this.adminInfo;
  }

  /** Closes the stream, the channel and the admin endpoint; the config is kept for inspection. */
  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.adminInfo = undefined;
    this.disconnect();
    await admin?.close();
  }

  private disconnect(): void {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.reconnectTimer);
    for (const timer of this.fetchTimers.values()) clearTimeout(timer);
    this.fetchTimers.clear();
    const stream = this.stream;
    this.stream = undefined;
    stream?.call.cancel();
    this.setConnected(false);
    if (this.client) this.pool.release(this.client);
    this.client = undefined;
    if (this.ownsPool) this.pool.close();
  }

  setRejectPolicy(policy: RejectPolicy): void {
    this.store.setPolicy(policy);
  }

  serverState(): ServerState {
    return this.store.serverState();
  }

  configDump(query: ConfigDumpQuery = {}): JsonObject {
    return buildConfigDump(
      {
        bootstrap: this.options.bootstrap,
        store: this.store,
        startedAt: this.startedAt,
        typeVersion: (typeUrl) => this.acceptedVersion(typeUrl),
      },
      query,
    );
  }

  /** `/server_info`: envoy.admin.v3.ServerInfo. */
  serverInfo(): JsonObject {
    const { node } = this.options.bootstrap;
    const uptime = `${Math.floor((Date.now() - this.startedAt) / 1000)}s`;
    return {
      version: `envoy-sim/${node.userAgentVersion}/Clean/RELEASE/BoringSSL`,
      state: this.serverState(),
      uptime_current_epoch: uptime,
      uptime_all_epochs: uptime,
      hot_restart_version: 'disabled',
      command_line_options: {
        service_cluster: node.cluster,
        service_node: node.id,
        service_zone: node.locality.zone ?? '',
        mode: 'Serve',
      },
      node: bootstrapJson(this.options.bootstrap)['node'] ?? null,
    };
  }

  quit(): void {
    this.emit('quit');
  }

  state(): SimState {
    const types = {} as Record<XdsTypeUrl, TypeState>;
    for (const [typeUrl, protocol] of this.types) {
      const sotw = this.mode === 'sotw';
      types[typeUrl] = {
        version: sotw ? protocol.sotw.versionInfo : protocol.systemVersion,
        nonce: protocol.lastNonce,
        subscribed: protocol.subscribed,
        resourceNames: sotw ? protocol.sotw.resourceNames : protocol.delta.resourceNames,
        resources: Object.fromEntries(this.store.currentVersions(typeUrl)),
        lastNack: protocol.lastNack,
      };
    }
    return { nodeId: this.nodeId, serverState: this.serverState(), connected: this.connectedNow, types };
  }

  /** The version of a type last accepted (SotW `version_info`, delta `system_version_info`). */
  acceptedVersion(typeUrl: XdsTypeUrl): string {
    return this.state().types[typeUrl].version;
  }

  waitForVersion(typeUrl: XdsTypeUrl, version: string, timeoutMs = 30_000): Promise<AckEvent> {
    return this.waitFor(
      'ack',
      (event) => event.typeUrl === typeUrl && event.version === version,
      timeoutMs,
      () =>
        this.acceptedVersion(typeUrl) === version
          ? { typeUrl, version, nonce: this.types.get(typeUrl)?.lastNonce ?? '' }
          : undefined,
      `version ${version} of ${typeUrl}`,
    );
  }

  waitForNack(typeUrl?: XdsTypeUrl, timeoutMs = 30_000): Promise<NackEvent> {
    return this.waitFor(
      'nack',
      (event) => typeUrl === undefined || event.typeUrl === typeUrl,
      timeoutMs,
      () => undefined,
      `a NACK of ${typeUrl ?? 'any type'}`,
    );
  }

  waitForState(state: ServerState, timeoutMs = 30_000): Promise<ServerState> {
    return this.waitFor(
      'state',
      (event) => event === state,
      timeoutMs,
      () => (this.serverState() === state ? state : undefined),
      `server state ${state}`,
    );
  }

  private waitFor<E extends 'ack' | 'nack' | 'state'>(
    event: E,
    matches: (...args: EnvoySimEvents[E]) => boolean,
    timeoutMs: number,
    already: () => EnvoySimEvents[E][0] | undefined,
    what: string,
  ): Promise<EnvoySimEvents[E][0]> {
    const current = already();
    if (current !== undefined) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const listener = (...args: EnvoySimEvents[E]): void => {
        if (!matches(...args)) return;
        clearTimeout(timer);
        this.off(event, listener as never);
        resolve(args[0]);
      };
      const timer = setTimeout(() => {
        this.off(event, listener as never);
        reject(new Error(`${this.nodeId}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on(event, listener as never);
    });
  }

  // ---- stream lifecycle ----

  private openStream(): void {
    if (!this.running || !this.client) return;
    this.firstRequestOnStream = true;
    for (const protocol of this.types.values()) {
      protocol.sotw.resetStream();
      protocol.delta.resetStream();
    }
    const client = this.client;
    const stream: AdsStream =
      this.mode === 'sotw'
        ? { mode: 'sotw', call: client.streamAggregatedResources() }
        : { mode: 'delta', call: client.deltaAggregatedResources() };
    this.stream = stream;
    if (stream.mode === 'sotw') {
      stream.call.on('data', (response: DiscoveryResponse) =>
        this.onResponse(stream, response, () => this.onSotwResponse(response)),
      );
    } else {
      stream.call.on('data', (response: DeltaDiscoveryResponse) =>
        this.onResponse(stream, response, () => this.onDeltaResponse(response)),
      );
    }
    stream.call.on('metadata', () => {
      if (this.stream === stream) this.setConnected(true);
    });
    stream.call.on('error', (error: ServiceError) => this.onStreamClosed(stream, error.code, error.details));
    stream.call.on('status', (status: StatusObject) => {
      // A server closing with OK (rebalancing, shutdown) emits no error; reconnect all the same.
      if (status.code === grpcStatus.OK) this.onStreamClosed(stream, status.code, status.details);
    });
    this.watchReady(client, stream);
    for (const typeUrl of this.subscriptionOrder) this.sendRequest(typeUrl);
  }

  /**
   * The control plane counts as connected once the channel is up (Envoy: once the stream is
   * established). Watching without a deadline leaves no timer behind; closing the channel ends it.
   */
  private watchReady(client: AggregatedDiscoveryServiceClient, stream: AdsStream): void {
    const channel = client.getChannel();
    const check = (): void => {
      if (this.stream !== stream) return;
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) this.setConnected(true);
      else if (state !== connectivityState.SHUTDOWN) channel.watchConnectivityState(state, Infinity, check);
    };
    check();
  }

  private onResponse(
    stream: AdsStream,
    response: DiscoveryResponse | DeltaDiscoveryResponse,
    handle: () => void,
  ): void {
    if (this.stream !== stream) return;
    this.emit('response', response);
    // Envoy resets its backoff and marks the control plane connected on every response.
    this.backoff.reset();
    this.setConnected(true);
    handle();
  }

  private onStreamClosed(stream: AdsStream, code: number, details: string): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.setConnected(false);
    for (const typeUrl of this.subscriptionOrder)
      recordConnectionFailure(this.stats, this.subscriptionScopes(typeUrl));
    if (!this.running) return;
    this.nextEndpoint();
    const retryInMs = this.backoff.nextDelayMs();
    this.reconnectTimer = setTimeout(() => this.openStream(), retryInMs);
    this.emit('disconnected', { code, details, retryInMs });
  }

  /** With several xDS servers, the next stream goes to the next one (Envoy: a host per connection). */
  private nextEndpoint(): void {
    if (this.pool.endpointCount < 2 || !this.client) return;
    this.pool.release(this.client);
    this.endpoint = (this.endpoint + 1) % this.pool.endpointCount;
    this.client = this.pool.acquire(this.endpoint);
  }

  private setConnected(connected: boolean): void {
    if (this.connectedNow === connected) return;
    this.connectedNow = connected;
    this.stats.set(scopes.plain('control_plane.'), 'connected_state', connected ? 1 : 0);
    if (connected) this.emit('connected');
  }

  // ---- subscriptions ----

  private subscribe(typeUrl: XdsTypeUrl): void {
    const protocol = this.protocol(typeUrl);
    if (protocol.subscribed) return;
    protocol.subscribed = true;
    this.subscriptionOrder.push(typeUrl);
    for (const scope of this.subscriptionScopes(typeUrl)) declareSubscriptionStats(this.stats, scope);
    if (isWildcardType(typeUrl)) this.startFetchTimer(typeUrl, undefined);
  }

  private protocol(typeUrl: XdsTypeUrl): TypeProtocol {
    const protocol = this.types.get(typeUrl);
    if (!protocol) throw new Error(`no protocol state for ${typeUrl}`);
    return protocol;
  }

  /** Brings EDS/RDS/SDS interest in line with what the listeners and clusters name; sends what changed. */
  private updateNamedSubscriptions(): void {
    for (const typeUrl of [ENDPOINT_TYPE, ROUTE_TYPE, SECRET_TYPE] as const) {
      const wanted = this.store.wantedNames(typeUrl);
      const protocol = this.protocol(typeUrl);
      if (wanted.size === 0 && !protocol.subscribed) continue;
      const previous = new Set(
        this.mode === 'sotw' ? protocol.sotw.resourceNames : protocol.delta.resourceNames,
      );
      const changed = this.mode === 'sotw' ? protocol.sotw.setNames(wanted) : protocol.delta.setNames(wanted);
      this.store.forget(
        typeUrl,
        [...previous].filter((name) => !wanted.has(name)),
      );
      for (const name of previous) if (!wanted.has(name)) this.clearFetchTimer(typeUrl, name);
      for (const name of wanted) {
        if (!previous.has(name)) {
          this.startFetchTimer(typeUrl, name);
          for (const scope of this.subscriptionScopes(typeUrl, [name]))
            declareSubscriptionStats(this.stats, scope);
        }
      }
      if (!protocol.subscribed) this.subscribe(typeUrl);
      if (changed) this.sendRequest(typeUrl);
    }
  }

  private fetchKey(typeUrl: XdsTypeUrl, name: string | undefined): string {
    return `${typeUrl} ${name ?? '*'}`;
  }

  /** Envoy's initial_fetch_timeout: what waits on a subscription stops waiting when it expires. */
  private startFetchTimer(typeUrl: XdsTypeUrl, name: string | undefined): void {
    const timeoutMs = this.options.bootstrap.xds.initialFetchTimeoutMs;
    const key = this.fetchKey(typeUrl, name);
    if (timeoutMs <= 0 || this.fetchTimers.has(key)) return;
    const timer = setTimeout(() => {
      this.fetchTimers.delete(key);
      for (const scope of this.subscriptionScopes(typeUrl, name === undefined ? undefined : [name]))
        this.stats.inc(scope, 'init_fetch_timeout');
      if (name === undefined) this.store.markInitialFetchEnded(typeUrl);
      else this.store.markFetchEnded(typeUrl, name);
      this.afterConfigChange();
    }, timeoutMs);
    timer.unref();
    this.fetchTimers.set(key, timer);
  }

  private clearFetchTimer(typeUrl: XdsTypeUrl, name: string | undefined): void {
    const key = this.fetchKey(typeUrl, name);
    clearTimeout(this.fetchTimers.get(key));
    this.fetchTimers.delete(key);
  }

  /** A rejected response ends the initial fetch of its type: Envoy lets start-up go on without it. */
  private endInitialFetches(typeUrl: XdsTypeUrl): void {
    if (isWildcardType(typeUrl)) {
      this.clearFetchTimer(typeUrl, undefined);
      this.store.markInitialFetchEnded(typeUrl);
      return;
    }
    for (const name of this.protocolNames(typeUrl)) {
      if (this.store.entries(typeUrl).get(name)?.active) continue;
      this.clearFetchTimer(typeUrl, name);
      this.store.markFetchEnded(typeUrl, name);
    }
  }

  private afterConfigChange(): void {
    this.updateNamedSubscriptions();
    if (this.store.clusterManagerReady() && !this.protocol(LISTENER_TYPE).subscribed) {
      this.subscribe(LISTENER_TYPE);
      this.sendRequest(LISTENER_TYPE);
    }
    const state = this.store.serverState();
    if (state !== this.lastServerState) {
      this.lastServerState = state;
      this.emit('state', state);
    }
  }

  // ---- requests ----

  private nodeForRequest(): Node | undefined {
    const include = this.firstRequestOnStream || !this.options.bootstrap.xds.setNodeOnFirstMessageOnly;
    this.firstRequestOnStream = false;
    return include ? this.node : undefined;
  }

  private sendRequest(typeUrl: XdsTypeUrl, ack?: { nonce: string; errorDetail?: Status }): void {
    const stream = this.stream;
    if (!stream) return;
    const protocol = this.protocol(typeUrl);
    if (stream.mode === 'sotw') {
      const request = protocol.sotw.request(this.nodeForRequest(), ack?.errorDetail);
      stream.call.write(request);
      this.emit('request', request);
    } else {
      if (!ack && !protocol.delta.hasPendingRequest()) return;
      const request = protocol.delta.request(this.nodeForRequest(), ack);
      stream.call.write(request);
      this.emit('request', request);
    }
  }

  // ---- responses ----

  private onSotwResponse(response: DiscoveryResponse): void {
    const typeUrl = response.typeUrl;
    if (!isXdsType(typeUrl) || !this.protocol(typeUrl).subscribed) return;
    const protocol = this.protocol(typeUrl);
    let outcomeError: string | undefined;
    let changed: readonly string[] = [];
    let accepted: readonly IncomingResource[] = [];
    try {
      const decoded = sotwResources(response, typeUrl, this.catalog);
      const wanted = new Set(protocol.sotw.resourceNames);
      accepted = isWildcardType(typeUrl) ? decoded : decoded.filter((item) => wanted.has(item.name));
      const received = new Set(accepted.map((item) => item.name));
      const removed = isWildcardType(typeUrl)
        ? [...this.store.entries(typeUrl).keys()].filter((name) => !received.has(name))
        : [];
      const outcome = this.store.apply({
        typeUrl,
        resources: accepted,
        removed,
        versionInfo: response.versionInfo,
      });
      outcomeError = outcome.error;
      changed = outcome.changed;
    } catch (error) {
      if (!(error instanceof ResponseError)) throw error;
      outcomeError = error.message;
    }
    protocol.lastNonce = response.nonce;
    this.recordUpdateStats(typeUrl, accepted, changed, outcomeError, response.versionInfo);
    if (outcomeError !== undefined) this.endInitialFetches(typeUrl);
    // Envoy pauses RDS/EDS/SDS while it applies LDS/CDS: their new requests go out before this ACK.
    this.afterConfigChange();
    if (outcomeError === undefined) {
      protocol.sotw.ack(response.versionInfo, response.nonce);
      this.sendRequest(typeUrl);
      this.emit('ack', { typeUrl, version: response.versionInfo, nonce: response.nonce });
    } else {
      protocol.sotw.nack(response.nonce);
      const nack: NackEvent = {
        typeUrl,
        version: protocol.sotw.versionInfo,
        nonce: response.nonce,
        message: outcomeError,
      };
      protocol.lastNack = nack;
      this.sendRequest(typeUrl, { nonce: response.nonce, errorDetail: nackStatus(outcomeError) });
      this.emit('nack', nack);
    }
  }

  private onDeltaResponse(response: DeltaDiscoveryResponse): void {
    const typeUrl = response.typeUrl;
    if (!isXdsType(typeUrl) || !this.protocol(typeUrl).subscribed) return;
    const protocol = this.protocol(typeUrl);
    let outcomeError: string | undefined;
    let changed: readonly string[] = [];
    let accepted: IncomingResource[] = [];
    try {
      const decoded = deltaResources(response, typeUrl, protocol.delta.versions(), this.catalog);
      const wanted = new Set(protocol.delta.resourceNames);
      accepted = isWildcardType(typeUrl) ? decoded : decoded.filter((item) => wanted.has(item.name));
      const outcome = this.store.apply({
        typeUrl,
        resources: accepted,
        removed: response.removedResources,
        versionInfo: response.systemVersionInfo,
      });
      outcomeError = outcome.error;
      changed = outcome.changed;
    } catch (error) {
      if (!(error instanceof ResponseError)) throw error;
      outcomeError = error.message;
    }
    protocol.lastNonce = response.nonce;
    this.recordUpdateStats(typeUrl, accepted, changed, outcomeError, response.systemVersionInfo);
    if (outcomeError === undefined) {
      protocol.delta.accept(accepted, response.removedResources);
      protocol.systemVersion = response.systemVersionInfo;
    } else {
      this.endInitialFetches(typeUrl);
    }
    this.afterConfigChange();
    if (outcomeError === undefined) {
      this.sendRequest(typeUrl, { nonce: response.nonce });
      this.emit('ack', { typeUrl, version: response.systemVersionInfo, nonce: response.nonce });
    } else {
      const nack: NackEvent = {
        typeUrl,
        version: protocol.systemVersion,
        nonce: response.nonce,
        message: outcomeError,
      };
      protocol.lastNack = nack;
      this.sendRequest(typeUrl, { nonce: response.nonce, errorDetail: nackStatus(outcomeError) });
      this.emit('nack', nack);
    }
  }

  // ---- stats ----

  /** The stat scopes of a subscription's names: all of them, or `names` alone. */
  private subscriptionScopes(typeUrl: XdsTypeUrl, names?: readonly string[]): StatScope[] {
    return subscriptionScopes(this.store, typeUrl, names ?? this.protocolNames(typeUrl));
  }

  private protocolNames(typeUrl: XdsTypeUrl): readonly string[] {
    const protocol = this.protocol(typeUrl);
    return this.mode === 'sotw' ? protocol.sotw.resourceNames : protocol.delta.resourceNames;
  }

  /** A rejected named response counts against every subscribed name; an accepted one against those it brought. */
  private recordUpdateStats(
    typeUrl: XdsTypeUrl,
    accepted: readonly IncomingResource[],
    changed: readonly string[],
    error: string | undefined,
    version: string,
  ): void {
    const wildcard = isWildcardType(typeUrl);
    const updated = accepted.map((item) => item.name);
    if (wildcard) this.clearFetchTimer(typeUrl, undefined);
    else for (const name of updated) this.clearFetchTimer(typeUrl, name);
    const scopeList =
      wildcard || error !== undefined
        ? this.subscriptionScopes(typeUrl)
        : this.subscriptionScopes(typeUrl, updated);
    recordUpdate(this.stats, scopeList, { error, changed: changed.length > 0, version });
  }
}
