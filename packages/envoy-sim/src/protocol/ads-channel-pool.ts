import { readFileSync } from 'node:fs';
import { type ChannelCredentials, type ChannelOptions, credentials } from '@grpc/grpc-js';
import { AggregatedDiscoveryServiceClient } from '@envoy-fleet/proto/xds';
import { type XdsServerConfig } from '../bootstrap/sim-bootstrap';

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
 * gRPC channels to the xDS server, each carrying up to `streamsPerChannel` ADS streams. One stream per
 * channel is what a fleet of real Envoys looks like to the server (one HTTP/2 connection each); more
 * streams per channel cost less memory and fewer sockets when simulating thousands in one process.
 * Every channel has its own subchannel pool: grpc-js would otherwise share one connection among all.
 */
export class AdsChannelPool {
  private readonly channels: PooledChannel[] = [];
  private readonly credentials: ChannelCredentials;
  private readonly options: ChannelOptions;

  constructor(
    private readonly config: XdsServerConfig,
    private readonly streamsPerChannel = 1,
  ) {
    if (!Number.isInteger(streamsPerChannel) || streamsPerChannel < 1) {
      throw new Error(`streams per channel must be a positive integer, got ${streamsPerChannel}`);
    }
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

  get target(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  acquire(): AggregatedDiscoveryServiceClient {
    // Channels fill in order, so only the newest can have room: O(1) for thousands of streams.
    let channel = this.channels.at(-1);
    if (!channel || channel.users >= this.streamsPerChannel) {
      channel = {
        client: new AggregatedDiscoveryServiceClient(this.target, this.credentials, this.options),
        users: 0,
      };
      this.channels.push(channel);
    }
    channel.users += 1;
    return channel.client;
  }

  release(client: AggregatedDiscoveryServiceClient): void {
    const index = this.channels.findIndex((candidate) => candidate.client === client);
    const channel = this.channels[index];
    if (!channel) return;
    channel.users -= 1;
    if (channel.users === 0) {
      channel.client.close();
      this.channels.splice(index, 1);
    }
  }

  get channelCount(): number {
    return this.channels.length;
  }

  close(): void {
    for (const channel of this.channels.splice(0)) channel.client.close();
  }
}
