import { Server, ServerCredentials, type ServerDuplexStream, status } from '@grpc/grpc-js';
import {
  AggregatedDiscoveryServiceService,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '@envoy-fleet/proto/xds';

/**
 * A scripted ADS server for specs: it records every request a client sends and answers only with the
 * responses the spec hands it. It is a test peer, not a control plane.
 */
export class PeerStream<Request, Response> {
  private readonly received: Request[] = [];
  private readonly waiters: ((request: Request) => void)[] = [];
  private nextNonce = 1;
  ended = false;

  constructor(private readonly call: ServerDuplexStream<Request, Response>) {
    call.on('data', (request: Request) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(request);
      else this.received.push(request);
    });
    call.on('end', () => {
      this.ended = true;
    });
    call.on('error', () => {
      this.ended = true;
    });
  }

  nextRequest(timeoutMs = 5_000): Promise<Request> {
    const queued = this.received.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((request) => {
        clearTimeout(timer);
        resolve(request);
      });
    });
  }

  /** No request arrives for this long (the client has nothing to say). */
  async expectSilence(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.received.length > 0) throw new Error(`unexpected request: ${JSON.stringify(this.received[0])}`);
  }

  /** TLS facts of the connection, e.g. the client certificate of an mTLS peer. */
  authContext(): ReturnType<ServerDuplexStream<Request, Response>['getAuthContext']> {
    return this.call.getAuthContext();
  }

  nonce(): string {
    return `n${this.nextNonce++}`;
  }

  send(response: Response): void {
    this.call.write(response);
  }

  /** Ends the RPC from the server side. */
  close(code: status = status.UNAVAILABLE, details = 'test peer closed the stream'): void {
    this.call.emit('error', { code, details });
  }
}

export type SotwPeerStream = PeerStream<DiscoveryRequest, DiscoveryResponse>;
export type DeltaPeerStream = PeerStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

export class AdsTestPeer {
  private readonly sotwStreams: SotwPeerStream[] = [];
  private readonly deltaStreams: DeltaPeerStream[] = [];
  private readonly streamWaiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port = 0, credentials = ServerCredentials.createInsecure()): Promise<AdsTestPeer> {
    const server = new Server();
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, credentials, (error, actual) =>
        error ? reject(error) : resolve(actual),
      ),
    );
    const peer = new AdsTestPeer(server, bound);
    server.addService(AggregatedDiscoveryServiceService, {
      streamAggregatedResources: (call: ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) => {
        peer.sotwStreams.push(new PeerStream(call));
        peer.notify();
      },
      deltaAggregatedResources: (call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) => {
        peer.deltaStreams.push(new PeerStream(call));
        peer.notify();
      },
    });
    return peer;
  }

  private notify(): void {
    for (const waiter of this.streamWaiters.splice(0)) waiter();
  }

  private async waitForStream<T>(streams: T[], index: number, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (!streams[index]) {
      if (Date.now() > deadline) throw new Error(`stream #${index + 1} not opened within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.streamWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return streams[index];
  }

  /** The n-th state-of-the-world stream opened (0-based). */
  sotwStream(index = 0, timeoutMs = 5_000): Promise<SotwPeerStream> {
    return this.waitForStream(this.sotwStreams, index, timeoutMs);
  }

  deltaStream(index = 0, timeoutMs = 5_000): Promise<DeltaPeerStream> {
    return this.waitForStream(this.deltaStreams, index, timeoutMs);
  }

  get streamCount(): number {
    return this.sotwStreams.length + this.deltaStreams.length;
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
    await Promise.resolve();
  }
}
