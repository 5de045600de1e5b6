import { readFileSync } from 'node:fs';
import {
  type ChannelCredentials,
  type ChannelOptions,
  credentials,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';
import {
  type AggregatedDiscoveryServiceClient,
  AggregatedDiscoveryServiceService,
} from '@envoy-fleet/proto/xds';
import { type XdsServerConfig } from '../bootstrap/sim-bootstrap';
import { encodeDiscoveryRequest } from './discovery-request-encoding';
import { sharedResponses } from './shared-responses';

/**
 * The ADS client, its SotW requests serialized by {@link encodeDiscoveryRequest} and its SotW responses
 * decoded once per distinct message for all the sims of the process ({@link sharedResponses}).
 */
const SimAdsClient = makeGenericClientConstructor(
  {
    ...AggregatedDiscoveryServiceService,
    streamAggregatedResources: {
      ...AggregatedDiscoveryServiceService.streamAggregatedResources,
      requestSerialize: encodeDiscoveryRequest,
      responseDeserialize: (bytes: Buffer) => sharedResponses.decode(bytes),
    },
  },
  'envoy.service.discovery.v3.AggregatedDiscoveryService',
) as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: ChannelOptions,
) => AggregatedDiscoveryServiceClient;

interface PooledChannel {
  readonly client: AggregatedDiscoveryServiceClient;
  users: number;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the xDS ${what} ${path}: ${(error as Error).message}`);
  }
}

function channelCredentials(config: XdsServerConfig): ChannelCredentials {
  const tls = config.tls;
  if (!tls) return credentials.createInsecure();
  return credentials.createSsl(
    tls.caFile ? readPem(tls.caFile, 'CA certificate') : null,
    tls.keyFile ? readPem(tls.keyFile, 'client key') : null,
    tls.certFile ? readPem(tls.certFile, 'client certificate') : null,
  );
}

/**
 * gRPC channels to the xDS servers, each carrying up to `streamsPerChannel` ADS streams. One stream per
 * channel is what a fleet of real Envoys looks like to the server (one HTTP/2 connection each); more
 * streams per channel cost less memory and fewer sockets when simulating thousands in one process.
 * Every channel has its own subchannel pool: grpc-js would otherwise share one connection among all.
 * Servers are numbered in the bootstrap's order: the main one (0), then the alternates.
 */
export class AdsChannelPool {
  /** Per server: its channels, filled in order. */
  private readonly channels: PooledChannel[][];
  private readonly targets: readonly string[];
  private readonly credentials: ChannelCredentials;
  private readonly options: ChannelOptions;

  constructor(
    config: XdsServerConfig,
    private readonly streamsPerChannel = 1,
  ) {
    if (!Number.isInteger(streamsPerChannel) || streamsPerChannel < 1) {
      throw new Error(`streams per channel must be a positive integer, got ${streamsPerChannel}`);
    }
    this.targets = [config, ...(config.alternateEndpoints ?? [])].map(({ host, port }) => `${host}:${port}`);
    this.channels = this.targets.map(() => []);
    this.credentials = channelCredentials(config);
    this.options = {
      'grpc.use_local_subchannel_pool': 1,
      // Envoy's xDS cluster keeps HTTP/2 connections alive; a dead server is noticed without traffic.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      ...(config.tls?.serverName ? { 'grpc.ssl_target_name_override': config.tls.serverName } : {}),
    };
  }

  /** How many servers there are to connect to. */
  get endpointCount(): number {
    return this.targets.length;
  }

  /** `host:port` of a server. */
  targetOf(endpoint: number): string {
    const target = this.targets[endpoint];
    if (target === undefined) throw new Error(`no xDS server #${endpoint}: there are ${this.targets.length}`);
    return target;
  }

  /** A client on a channel to the given server (0: the main one). */
  acquire(endpoint = 0): AggregatedDiscoveryServiceClient {
    const target = this.targetOf(endpoint);
    const channels = this.channels[endpoint] as PooledChannel[];
    // Channels fill in order, so only the newest can have room: O(1) for thousands of streams.
    let channel = channels.at(-1);
    if (!channel || channel.users >= this.streamsPerChannel) {
      channel = {
        client: new SimAdsClient(target, this.credentials, this.options),
        users: 0,
      };
      channels.push(channel);
    }
    channel.users += 1;
    return channel.client;
  }

  release(client: AggregatedDiscoveryServiceClient): void {
    for (const channels of this.channels) {
      const index = channels.findIndex((candidate) => candidate.client === client);
      const channel = channels[index];
      if (!channel) continue;
      channel.users -= 1;
      if (channel.users === 0) {
        channel.client.close();
        channels.splice(index, 1);
      }
      return;
    }
  }

  get channelCount(): number {
    return this.channels.reduce((sum, channels) => sum + channels.length, 0);
  }

  close(): void {
    for (const channels of this.channels) for (const channel of channels.splice(0)) channel.client.close();
  }
}
