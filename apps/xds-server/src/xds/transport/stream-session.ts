import { type ServerDuplexStream, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import type { Node } from '@envoy-fleet/proto/xds';
import type { Logger } from '@envoy-fleet/telemetry';
import { tenantOfServingKey } from '@envoy-fleet/xds';
import type { SnapshotCache, SnapshotWatcher } from '../cache/snapshot-cache';
import type { ObservedStream } from '../csds/client-status';
import { ServedSnapshot } from '../cache/served-snapshot';
import type { RequestOutcome, TypeStatus } from '../protocol/snapshot-view';
import type { StreamProtocol } from '../protocol/stream-protocol';
import type { InitialPushGate, Release } from './admission';
import type { ResourceBytes, ResponseEncoder } from './response-encoder';
import { identityMismatch } from './spiffe-identity';
import type { ProxyInfo, XdsObserver } from './xds-observer';

/** How one protocol variant (SotW or delta) reads requests and writes responses. */
export interface ProtocolVariant<Raw extends RawRequest, Request, Response extends SessionResponse> {
  createProtocol(nextNonce: () => string): StreamProtocol<Request, Response>;
  /** The request the state machine sees; `typeUrl` is the request's or the service's fixed one. */
  toRequest(raw: Raw, typeUrl: string): Request;
  encode(encoder: ResponseEncoder, response: Response, bytes: ResourceBytes): Buffer;
  /** The version a response carries (SotW `version_info`, delta `system_version_info`). */
  versionOf(response: Response): string;
}

export interface RawRequest {
  readonly typeUrl: string;
  readonly node: Node | undefined;
}

export interface SessionResponse {
  readonly typeUrl: string;
  readonly nonce: string;
}

/** A stream as the server manages it: CSDS reads it, shutdown ends it. */
export interface ManagedStream extends ObservedStream {
  end(): void;
}

export interface SessionDependencies {
  readonly cache: SnapshotCache;
  readonly encoder: ResponseEncoder;
  readonly observer: XdsObserver;
  readonly initialPushes: InitialPushGate;
  /** XDS_AUTO_REGISTER: the serving key unregistered nodes get, or undefined when they are refused. */
  readonly autoRegisterServingKey: string | undefined;
  /** With mTLS, the certificate's SPIFFE id must match the node id and its tenant. */
  readonly requireClientIdentity: boolean;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Snapshots a stream moved away from, kept so that resources still held for make-before-break can be encoded. */
const RETIRED_SNAPSHOTS_KEPT = 4;

type Phase = 'new' | 'admitting' | 'serving' | 'closed';

class StatusError extends Error {
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One xDS stream: admits its node (registered proxy, identity), feeds requests and snapshots to the
 * protocol state machine, and writes what it answers with at most one message in flight, waiting for
 * HTTP/2 flow control (the write callback and 'drain') before taking the next one. Taking a response only
 * when it can be written is what coalesces: a slow stream gets the newest state, never a queue.
 */
export class StreamSession<
  Raw extends RawRequest,
  Request,
  Response extends SessionResponse,
> implements ManagedStream {
  private phase: Phase = 'new';
  private readonly protocol: StreamProtocol<Request, Response>;
  private readonly queued: Raw[] = [];
  private proxy: ProxyInfo | undefined;
  private node: Node | undefined;
  private snapshot: ServedSnapshot | undefined;
  private retired: ServedSnapshot[] = [];
  private watcher: SnapshotWatcher | undefined;
  private writing = false;
  private releaseInitialPush: Release | undefined;
  private nonceCounter = 0;
  /** Per type: when its last response was taken for writing (push-to-ACK latency). */
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly call: ServerDuplexStream<Raw, Buffer>,
    private readonly variant: ProtocolVariant<Raw, Request, Response>,
    private readonly deps: SessionDependencies,
    /** The type of a single-type service (LDS, CDS, ...); undefined on ADS. */
    private readonly fixedTypeUrl: string | undefined,
    private readonly onClosed: (session: ManagedStream) => void,
  ) {
    this.protocol = variant.createProtocol(() => (++this.nonceCounter).toString(36));
    deps.observer.streamOpened();
    call.on('data', (raw: Raw) => this.onData(raw));
    // A client half-close ends the RPC with OK (GN xds-client.ts); the watches go with it.
    call.on('end', () => this.end());
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
  }

  get nodeInfo(): Node | undefined {
    return this.node;
  }

  status(): TypeStatus[] {
    return this.protocol.status();
  }

  /** The bytes of a resource this stream may send: the current snapshot's, or a retired one's. */
  bytesOf(hash: string): Uint8Array | undefined {
    return (
      this.snapshot?.bytesOf(hash) ?? this.retired.find((snapshot) => snapshot.bytesOf(hash))?.bytesOf(hash)
    );
  }

  /** Ends the stream with OK (shutdown, rebalancing): the client reconnects, to this replica or another. */
  end(): void {
    if (this.phase === 'closed') return;
    this.call.end();
    this.close();
  }

  private onSnapshot(snapshot: ServedSnapshot): void {
    if (this.phase === 'closed') return;
    this.useSnapshot(snapshot);
    this.pump();
  }

  private onMoved(servingKey: string | undefined): void {
    if (this.phase !== 'serving' || this.proxy === undefined) return;
    if (servingKey === undefined) {
      this.fail(
        new StatusError(
          GrpcStatus.PERMISSION_DENIED,
          `node "${this.proxy.nodeId}" is no longer a registered proxy`,
        ),
      );
      return;
    }
    void this.move(servingKey);
  }

  private onData(raw: Raw): void {
    if (this.phase === 'closed') return;
    const typeUrl = raw.typeUrl === '' && this.fixedTypeUrl !== undefined ? this.fixedTypeUrl : raw.typeUrl;
    if (typeUrl === '') {
      this.fail(new StatusError(GrpcStatus.INVALID_ARGUMENT, 'every request on ADS must carry type_url'));
      return;
    }
    if (this.fixedTypeUrl !== undefined && typeUrl !== this.fixedTypeUrl) {
      this.fail(
        new StatusError(
          GrpcStatus.INVALID_ARGUMENT,
          `this service serves ${this.fixedTypeUrl}, not ${typeUrl}`,
        ),
      );
      return;
    }
    if (this.phase === 'new') {
      this.phase = 'admitting';
      this.queued.push({ ...raw, typeUrl });
      void this.admit(raw.node);
      return;
    }
    if (this.phase === 'admitting') {
      this.queued.push({ ...raw, typeUrl });
      return;
    }
    this.process({ ...raw, typeUrl });
  }

  private async admit(node: Node | undefined): Promise<void> {
    try {
      if (node === undefined || node.id === '') {
        throw new StatusError(
          GrpcStatus.INVALID_ARGUMENT,
          'the first request of a stream must carry node.id',
        );
      }
      this.node = node;
      this.watcher = {
        nodeId: node.id,
        onSnapshot: (snapshot) => this.onSnapshot(snapshot),
        onMoved: (servingKey) => this.onMoved(servingKey),
      };
      const release = await this.deps.initialPushes.enter();
      if (this.isClosed()) {
        release();
        return;
      }
      this.releaseInitialPush = release;
      const proxy = await this.resolve(node.id);
      if (this.isClosed()) return;
      this.proxy = proxy;
      const snapshot = await this.watch(proxy);
      if (this.isClosed()) {
        this.unwatch(proxy.servingKey);
        return;
      }
      if (snapshot !== undefined) this.useSnapshot(snapshot);
      this.phase = 'serving';
      this.deps.observer.proxyConnected(proxy);
      for (const raw of this.queued.splice(0)) this.process(raw);
      this.pump();
    } catch (error) {
      this.fail(error);
    }
  }

  private async resolve(nodeId: string): Promise<ProxyInfo> {
    let servingKey: string | undefined;
    try {
      servingKey = await this.deps.cache.servingKeyOf(nodeId);
    } catch (error) {
      throw new StatusError(
        GrpcStatus.UNAVAILABLE,
        `cannot look up node "${nodeId}" in the snapshot store: ${(error as Error).message}`,
      );
    }
    const autoRegistered = servingKey === undefined && this.deps.autoRegisterServingKey !== undefined;
    servingKey ??= this.deps.autoRegisterServingKey;
    if (servingKey === undefined) {
      throw new StatusError(
        GrpcStatus.PERMISSION_DENIED,
        `node "${nodeId}" is not a registered proxy of any tenant`,
      );
    }
    const tenantId = tenantOfServingKey(servingKey);
    if (this.deps.requireClientIdentity) {
      const mismatch = identityMismatch(this.call.getAuthContext().sslPeerCertificate, nodeId, tenantId);
      if (mismatch !== undefined) throw new StatusError(GrpcStatus.PERMISSION_DENIED, mismatch);
    }
    return { nodeId, tenantId, servingKey, autoRegistered };
  }

  private async watch(proxy: ProxyInfo): Promise<ServedSnapshot | undefined> {
    let snapshot: ServedSnapshot | undefined;
    try {
      snapshot = await this.deps.cache.watch(proxy.servingKey, this.watcherOrThrow());
    } catch (error) {
      throw new StatusError(
        GrpcStatus.UNAVAILABLE,
        `cannot read the snapshot of "${proxy.servingKey}": ${(error as Error).message}`,
      );
    }
    // An auto-registered proxy starts empty; a registered one waits for its first published snapshot.
    return snapshot ?? (proxy.autoRegistered ? ServedSnapshot.empty() : undefined);
  }

  private async move(servingKey: string): Promise<void> {
    const previous = this.proxy;
    if (previous === undefined) return;
    this.unwatch(previous.servingKey);
    const moved: ProxyInfo = {
      ...previous,
      servingKey,
      tenantId: tenantOfServingKey(servingKey),
      autoRegistered: false,
    };
    if (moved.tenantId !== previous.tenantId) {
      this.fail(
        new StatusError(GrpcStatus.PERMISSION_DENIED, `node "${moved.nodeId}" moved to another tenant`),
      );
      return;
    }
    this.proxy = moved;
    try {
      const snapshot = await this.deps.cache.watch(servingKey, this.watcherOrThrow());
      if (snapshot !== undefined && !this.isClosed()) this.onSnapshot(snapshot);
    } catch (error) {
      this.deps.logger.warn(
        { nodeId: moved.nodeId, servingKey, err: error },
        'cannot read the snapshot of the serving key a proxy moved to; keeping the last one',
      );
    }
  }

  private useSnapshot(snapshot: ServedSnapshot): void {
    if (this.snapshot === snapshot) return;
    if (this.snapshot !== undefined)
      this.retired = [this.snapshot, ...this.retired].slice(0, RETIRED_SNAPSHOTS_KEPT);
    this.snapshot = snapshot;
    this.protocol.setSnapshot(snapshot);
  }

  private process(raw: Raw): void {
    const outcome = this.protocol.handleRequest(this.variant.toRequest(raw, raw.typeUrl));
    this.report(outcome);
    this.pump();
  }

  private report(outcome: RequestOutcome): void {
    const proxy = this.proxy;
    if (proxy === undefined) return;
    if (outcome.kind === 'ack') {
      this.deps.observer.ackReceived(
        proxy,
        outcome.typeUrl,
        outcome.version,
        outcome.nonce,
        this.latency(outcome.typeUrl),
      );
    } else if (outcome.kind === 'nack') {
      this.deps.observer.nackReceived(proxy, outcome.typeUrl, outcome.detail, this.latency(outcome.typeUrl));
      this.deps.logger.warn(
        {
          nodeId: proxy.nodeId,
          typeUrl: outcome.typeUrl,
          nonce: outcome.detail.nonce,
          version: outcome.detail.version,
          rejectedVersion: outcome.detail.rejectedVersion,
          errorDetail: outcome.detail.errorMessage,
        },
        'proxy rejected a configuration (NACK)',
      );
    }
  }

  private latency(typeUrl: string): number {
    const sentAt = this.sentAt.get(typeUrl);
    return sentAt === undefined ? 0 : this.deps.now() - sentAt;
  }

  /** Writes the next response if the stream can take one; called after every input and every write. */
  private pump(): void {
    if (this.phase !== 'serving' || this.writing) return;
    const response = this.protocol.nextResponse();
    if (response === undefined) {
      this.finishInitialPush();
      return;
    }
    let bytes: Buffer;
    try {
      bytes = this.variant.encode(this.deps.encoder, response, this);
    } catch (error) {
      this.fail(
        new StatusError(GrpcStatus.INTERNAL, `cannot encode a response: ${(error as Error).message}`),
      );
      return;
    }
    this.sentAt.set(response.typeUrl, this.deps.now());
    if (this.proxy !== undefined) {
      this.deps.observer.responseSent(this.proxy, {
        typeUrl: response.typeUrl,
        version: this.variant.versionOf(response),
        nonce: response.nonce,
        bytes: bytes.byteLength,
      });
    }
    this.writing = true;
    let flushed = false;
    let drained = true;
    const proceed = () => {
      if (!flushed || !drained) return;
      this.writing = false;
      this.pump();
    };
    drained = this.call.write(bytes, () => {
      flushed = true;
      proceed();
    });
    if (!drained) {
      this.call.once('drain', () => {
        drained = true;
        proceed();
      });
    }
  }

  private finishInitialPush(): void {
    this.releaseInitialPush?.();
    this.releaseInitialPush = undefined;
  }

  private watcherOrThrow(): SnapshotWatcher {
    if (this.watcher === undefined) throw new Error('the stream has no node to watch snapshots for');
    return this.watcher;
  }

  private unwatch(servingKey: string): void {
    if (this.watcher !== undefined) this.deps.cache.unwatch(servingKey, this.watcher);
  }

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private fail(error: unknown): void {
    if (this.phase === 'closed') return;
    const status: Partial<ServiceError> =
      error instanceof StatusError
        ? { code: error.code, details: error.message }
        : { code: GrpcStatus.INTERNAL, details: error instanceof Error ? error.message : String(error) };
    if (status.code === GrpcStatus.INTERNAL) {
      this.deps.logger.error({ nodeId: this.node?.id, err: error }, 'xDS stream failed');
    }
    this.call.emit('error', status);
    this.close();
  }

  private close(): void {
    if (this.phase === 'closed') return;
    const wasServing = this.phase === 'serving';
    this.phase = 'closed';
    this.finishInitialPush();
    if (this.proxy !== undefined) {
      this.unwatch(this.proxy.servingKey);
      if (wasServing) this.deps.observer.proxyDisconnected(this.proxy);
    }
    this.deps.observer.streamClosed();
    this.onClosed(this);
  }
}
