import { setTimeout as sleep } from 'node:timers/promises';
import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import * as xds from '@grpc/grpc-js-xds';
import { runMigrations } from '@envoy-fleet/db';
import { type RunningStack, startStack } from '@envoy-fleet/test-kit/stack';

/** The one method the backends serve: it answers with the backend's name. */
const WHO = '/envoyfleet.test.Backend/Who';
const identity = (bytes: Buffer): Buffer => bytes;
/** grpc-js-xds reads its bootstrap from this channel option when set (instead of GRPC_XDS_BOOTSTRAP*). */
const BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';
const NODE_ID = 'grpc-client-1';
const WAIT_MS = 60_000;
const ADS = { ads: {}, resource_api_version: 'V3' };

interface Backend {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
}

async function startBackend(name: string): Promise<Backend> {
  const server = new Server();
  const handlers: UntypedServiceImplementation = {
    who: (_call: unknown, callback: (error: null, value: Buffer) => void) =>
      callback(null, Buffer.from(name)),
  };
  server.addService(
    {
      who: {
        path: WHO,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    handlers,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { name, port, server };
}

function endpoints(cluster: string, backend: Backend): Record<string, unknown> {
  return {
    cluster_name: cluster,
    endpoints: [
      {
        // gRPC ignores localities without a weight (A27).
        locality: { region: 'local', zone: 'local-a' },
        load_balancing_weight: 1,
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: backend.port } } } },
        ],
      },
    ],
  };
}

function cluster(name: string): Record<string, unknown> {
  return {
    name,
    type: 'EDS',
    connect_timeout: '1s',
    lb_policy: 'ROUND_ROBIN',
    eds_cluster_config: { eds_config: ADS },
  };
}

function routes(action: Record<string, unknown>): Record<string, unknown>[] {
  return [
    {
      name: 'greeter-routes',
      virtual_hosts: [
        { name: 'greeter', domains: ['*'], routes: [{ match: { prefix: '/' }, route: action }] },
      ],
    },
  ];
}

/**
 * `@grpc/grpc-js-xds`, an xDS client written independently of this product, as a proxyless gRPC client
 * of the stack (api, fleet-manager and xds-server processes): a config written through the api (a
 * Listener with an `api_listener`, its RouteConfiguration, EDS clusters and endpoints on local gRPC
 * backends) routes its RPCs to `xds:///greeter`; an endpoint change moves them; weighted clusters split
 * them in proportion.
 */
describe('proxyless gRPC client (@grpc/grpc-js-xds) configured through the api', () => {
  let stack: RunningStack;
  let backends: Record<'one' | 'two' | 'three', Backend>;
  let client: Client | undefined;

  beforeAll(async () => {
    xds.register();
    const [one, two, three] = await Promise.all([
      startBackend('one'),
      startBackend('two'),
      startBackend('three'),
    ]);
    backends = { one, two, three };
    stack = await startStack({ migrate: runMigrations, label: 'proxyless-grpc' });
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
    for (const backend of Object.values(backends ?? {})) backend.server.forceShutdown();
  }, 60_000);

  const call = async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const response = await stack.api(method, path, body, headers);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  /** One RPC to `xds:///greeter`: the name of the backend that answered. */
  const who = (waitForReady = false): Promise<string> =>
    new Promise((resolve, reject) => {
      if (client === undefined) throw new Error('no client');
      client.makeUnaryRequest(
        WHO,
        identity,
        identity,
        Buffer.alloc(0),
        new Metadata({ waitForReady }),
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null, value?: Buffer) =>
          error ? reject(error) : resolve(value?.toString('utf8') ?? ''),
      );
    });

  /** RPCs until one is answered by `name` (the client has taken the new config); fails after WAIT_MS. */
  const until = async (name: string): Promise<void> => {
    const deadline = Date.now() + WAIT_MS;
    let last = '';
    for (;;) {
      last = await who(true).catch((error: Error) => `error: ${error.message}`);
      if (last === name) return;
      if (Date.now() > deadline) {
        throw new Error(
          `no RPC reached backend "${name}" within ${WAIT_MS} ms (last answer: ${last})\n` +
            Object.values(stack.processes)
              .map((process) => `--- ${process.app}\n${process.output().slice(-3_000)}`)
              .join('\n'),
        );
      }
      await sleep(100);
    }
  };

  const count = async (rpcs: number): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (let index = 0; index < rpcs; index += 1) {
      const name = await who();
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };

  it('reaches the backends configured through the api, follows an endpoint change, splits by weight', async () => {
    const group = await call<{ id: string }>('POST', '/api/v1/proxy-groups', { name: 'grpc-clients' });
    await call('POST', '/api/v1/proxies', {
      nodeId: NODE_ID,
      groupId: group.id,
      containerName: 'grpc-client-1',
      proxyPort: 10000,
      adminPort: 9901,
      image: 'grpc-client:test',
    });
    const config = await call<{ id: string }>('POST', '/api/v1/configs', {
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'greeter' },
      spec: {
        listeners: [
          {
            name: 'greeter',
            api_listener: {
              api_listener: {
                '@type':
                  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                stat_prefix: 'greeter',
                rds: { route_config_name: 'greeter-routes', config_source: ADS },
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
          },
        ],
        routes: routes({ cluster: 'greeter-a' }),
        clusters: [cluster('greeter-a'), cluster('greeter-b')],
        endpoints: [endpoints('greeter-a', backends.one), endpoints('greeter-b', backends.three)],
        secrets: [],
      },
    });
    await call('POST', '/api/v1/bindings', { mode: 'group', groupId: group.id, configId: config.id });
    const patch = (spec: Record<string, unknown>, version: number) =>
      call(
        'PATCH',
        `/api/v1/configs/${config.id}`,
        { spec },
        {
          'content-type': 'application/merge-patch+json',
          'if-match': `W/"${version}"`,
        },
      );

    client = new Client('xds:///greeter', credentials.createInsecure(), {
      [BOOTSTRAP_OPTION]: JSON.stringify({
        xds_servers: [
          {
            server_uri: `${stack.xds.host}:${stack.xds.port}`,
            channel_creds: [{ type: 'insecure' }],
            server_features: ['xds_v3'],
          },
        ],
        node: { id: NODE_ID, cluster: 'grpc-clients', locality: { zone: 'local-a' } },
      }),
    });

    await until('one');
    expect(await count(20)).toEqual({ one: 20 });

    await patch(
      { endpoints: [endpoints('greeter-a', backends.two), endpoints('greeter-b', backends.three)] },
      1,
    );
    await until('two');
    expect(await count(20)).toEqual({ two: 20 });

    await patch(
      {
        routes: routes({
          weighted_clusters: {
            clusters: [
              { name: 'greeter-a', weight: 3 },
              { name: 'greeter-b', weight: 1 },
            ],
          },
        }),
      },
      2,
    );
    await until('three');
    const rpcs = 400;
    const split = await count(rpcs);
    expect(Object.keys(split).sort()).toEqual(['three', 'two']);
    // Each RPC picks a cluster at random by weight: two gets 3/4 of them, within five standard
    // deviations (sqrt(400 * 3/4 * 1/4) = 8.7 RPCs), which fails by chance less than once in a million.
    const expected = (rpcs * 3) / 4;
    const deviation = Math.sqrt(rpcs * (3 / 4) * (1 / 4));
    expect(Math.abs((split['two'] ?? 0) - expected)).toBeLessThanOrEqual(5 * deviation);
  }, 300_000);
});
