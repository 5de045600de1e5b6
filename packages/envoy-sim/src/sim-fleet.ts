import { type SimBootstrap } from './bootstrap/sim-bootstrap';
import { type ServerState } from './config/config-store';
import { type RejectPolicy } from './config/reject-policy';
import { type AckEvent, EnvoySim } from './envoy-sim';
import { AdsChannelPool } from './protocol/ads-channel-pool';
import { type XdsTypeUrl } from './xds/xds-types';

export interface SimFleetOptions {
  readonly count: number;
  /** The bootstrap every member shares; its node id is replaced by the pattern's. */
  readonly bootstrap: SimBootstrap;
  /**
   * `{n}` becomes the member's number: `sim-{n}` (the default when count > 1) gives sim-1, sim-2, ...
   * A single Envoy without a pattern keeps the bootstrap's node id.
   */
  readonly nodeIdPattern?: string;
  readonly firstNumber?: number;
  /** ADS streams sharing one gRPC channel (HTTP/2 connection); 1 = one connection per Envoy, as in production. */
  readonly streamsPerChannel?: number;
  /** Member n gets admin port `adminPortBase + n - firstNumber`; without it members have no admin port. */
  readonly adminPortBase?: number;
  /** Pause between member start-ups, to spread a connection storm. */
  readonly startIntervalMs?: number;
  readonly rejectPolicy?: RejectPolicy;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
}

export interface FleetSummary {
  readonly total: number;
  readonly connected: number;
  readonly live: number;
  readonly nacked: number;
}

export function nodeIdFor(pattern: string, n: number): string {
  if (!pattern.includes('{n}')) throw new Error(`node id pattern "${pattern}" must contain {n}`);
  return pattern.replaceAll('{n}', String(n));
}

/** Many simulated Envoys in one process, sharing decoded resources and (optionally) gRPC channels. */
export class SimFleet {
  readonly sims: readonly EnvoySim[];
  private readonly pool: AdsChannelPool;
  private nacks = 0;

  constructor(readonly options: SimFleetOptions) {
    if (!Number.isInteger(options.count) || options.count < 1) {
      throw new Error(`a fleet needs a positive whole number of Envoys, got ${options.count}`);
    }
    const first = options.firstNumber ?? 1;
    const pattern = options.nodeIdPattern ?? (options.count > 1 ? 'sim-{n}' : undefined);
    this.pool = new AdsChannelPool(options.bootstrap.xds, options.streamsPerChannel ?? 1);
    const { bootstrap, adminPortBase } = options;
    this.sims = Array.from({ length: options.count }, (_, index) => {
      const n = first + index;
      const sim = new EnvoySim({
        bootstrap: {
          ...bootstrap,
          node: { ...bootstrap.node, id: pattern === undefined ? bootstrap.node.id : nodeIdFor(pattern, n) },
          admin:
            adminPortBase === undefined
              ? undefined
              : { address: bootstrap.admin?.address ?? '127.0.0.1', port: adminPortBase + index },
        },
        channelPool: this.pool,
        rejectPolicy: options.rejectPolicy,
        backoff: options.backoff,
      });
      sim.on('nack', () => {
        this.nacks += 1;
      });
      return sim;
    });
  }

  async start(): Promise<void> {
    for (const sim of this.sims) {
      await sim.start();
      if (this.options.startIntervalMs)
        await new Promise((resolve) => setTimeout(resolve, this.options.startIntervalMs));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.sims.map((sim) => sim.stop()));
    this.pool.close();
  }

  get channelCount(): number {
    return this.pool.channelCount;
  }

  summary(): FleetSummary {
    return {
      total: this.sims.length,
      connected: this.sims.filter((sim) => sim.connected).length,
      live: this.sims.filter((sim) => sim.serverState() === 'LIVE').length,
      nacked: this.nacks,
    };
  }

  waitForState(state: ServerState, timeoutMs?: number): Promise<ServerState[]> {
    return Promise.all(this.sims.map((sim) => sim.waitForState(state, timeoutMs)));
  }

  waitForVersion(typeUrl: XdsTypeUrl, version: string, timeoutMs?: number): Promise<AckEvent[]> {
    return Promise.all(this.sims.map((sim) => sim.waitForVersion(typeUrl, version, timeoutMs)));
  }
}
