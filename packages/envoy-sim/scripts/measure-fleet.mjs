// Measures what a fleet of simulated Envoys costs in one process: time until all are LIVE, RSS and heap
// per Envoy, for a given number of ADS streams per gRPC channel. The xDS server is a minimal responder in
// a child process (one cluster, its endpoints, one listener, its routes) so its memory is not counted.
//   pnpm --filter @envoy-fleet/envoy-sim run build
//   node --expose-gc scripts/measure-fleet.mjs <count> <streams-per-channel> [sotw|delta]
import { fork } from 'node:child_process';
import process, { argv, memoryUsage, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const role = argv[2] === 'server' ? 'server' : 'fleet';
const rest = argv.slice(2);

function resources() {
  const { encodeResource } = require('@envoy-fleet/xds');
  const ads = { ads: {}, resource_api_version: 'V3' };
  return {
    'type.googleapis.com/envoy.config.cluster.v3.Cluster': encodeResource('cluster', {
      name: 'backend',
      type: 'EDS',
      connect_timeout: '1s',
      eds_cluster_config: { eds_config: ads },
    }),
    'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': encodeResource('endpoint', {
      cluster_name: 'backend',
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 9000 } } } },
          ],
        },
      ],
    }),
    'type.googleapis.com/envoy.config.listener.v3.Listener': encodeResource('listener', {
      name: 'http',
      address: { socket_address: { address: '0.0.0.0', port_value: 10000 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type':
                  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'http',
                rds: { route_config_name: 'routes', config_source: ads },
                http_filters: [
                  {
                    name: 'envoy.filters.http.router',
                    typed_config: {
                      '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
    }),
    'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': encodeResource('route', {
      name: 'routes',
      virtual_hosts: [
        { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'backend' } }] },
      ],
    }),
  };
}

async function serve() {
  const { Server, ServerCredentials } = require('@grpc/grpc-js');
  const { AggregatedDiscoveryServiceService } = require('@envoy-fleet/proto/xds');
  const byType = resources();
  let nonce = 0;
  const server = new Server();
  server.addService(AggregatedDiscoveryServiceService, {
    streamAggregatedResources(call) {
      call.on('data', (request) => {
        const bytes = byType[request.typeUrl];
        if (request.versionInfo === 'v1' || request.errorDetail || !bytes) return;
        call.write({
          versionInfo: 'v1',
          typeUrl: request.typeUrl,
          nonce: String(++nonce),
          canary: false,
          resources: [{ typeUrl: request.typeUrl, value: bytes }],
        });
      });
      call.on('error', () => undefined);
    },
    deltaAggregatedResources(call) {
      call.on('data', (request) => {
        const bytes = byType[request.typeUrl];
        if (request.responseNonce || !bytes) return;
        const name = {
          Cluster: 'backend',
          ClusterLoadAssignment: 'backend',
          Listener: 'http',
          RouteConfiguration: 'routes',
        }[request.typeUrl.split('.').pop()];
        call.write({
          systemVersionInfo: 'v1',
          typeUrl: request.typeUrl,
          nonce: String(++nonce),
          removedResources: [],
          removedResourceNames: [],
          resources: [
            { name, version: 'v1', aliases: [], resource: { typeUrl: request.typeUrl, value: bytes } },
          ],
        });
      });
      call.on('error', () => undefined);
    },
  });
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    process.send?.({ port });
  });
}

async function measure() {
  const [count = '1000', streamsPerChannel = '1', mode = 'sotw'] = rest;
  const server = fork(fileURLToPath(import.meta.url), ['server']);
  const port = await new Promise((resolve) => server.once('message', (message) => resolve(message.port)));
  const { SimFleet } = require('../dist/index.js');
  globalThis.gc?.();
  const before = memoryUsage();
  const fleet = new SimFleet({
    count: Number(count),
    streamsPerChannel: Number(streamsPerChannel),
    bootstrap: {
      node: {
        id: 'sim',
        cluster: 'bench',
        locality: {},
        metadata: {},
        userAgentName: 'envoy',
        userAgentVersion: '1.31.0',
        clientFeatures: [],
      },
      xds: { host: '127.0.0.1', port, mode, setNodeOnFirstMessageOnly: true, initialFetchTimeoutMs: 0 },
    },
  });
  const started = Date.now();
  await fleet.start();
  await fleet.waitForState('LIVE', 600_000);
  const seconds = (Date.now() - started) / 1000;
  globalThis.gc?.();
  const after = memoryUsage();
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const perSim = (bytes) => (bytes / Number(count) / 1024).toFixed(1);
  stdout.write(
    `${count} envoys, ${mode}, ${streamsPerChannel} stream(s)/channel (${fleet.channelCount} channels): all LIVE in ${seconds.toFixed(1)} s; ` +
      `RSS ${mib(after.rss)} MiB (+${perSim(after.rss - before.rss)} KiB/envoy), heap ${mib(after.heapUsed)} MiB (+${perSim(after.heapUsed - before.heapUsed)} KiB/envoy)\n`,
  );
  await fleet.stop();
  server.kill();
}

await (role === 'server' ? serve() : measure());
