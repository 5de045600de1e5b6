import { join } from 'node:path';
import {
  type Client,
  type ClientDuplexStream,
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  type ServiceClientConstructor,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  ClientResourceStatus,
  type ClientStatusResponse,
  ClientStatusDiscoveryServiceClient,
  ClusterDiscoveryServiceClient,
  ConfigStatus,
  EndpointDiscoveryServiceClient,
  ListenerDiscoveryServiceClient,
  RouteDiscoveryServiceClient,
  SecretDiscoveryServiceClient,
} from '@envoy-fleet/proto/xds';
import { edgeSnapshot, secretResource } from '@envoy-fleet/test-kit/snapshots';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { service as healthService } from 'grpc-health-check';
import { deltaNamesOf, namesOf } from './support/resources';
import { TestStream } from './support/test-stream';
import { deltaRequest, sotwRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { listener: LDS, route: RDS, cluster: CDS, endpoint: EDS, secret: SDS } = TYPE_URLS;

describe('xds-server services on the xDS port', () => {
  let harness: XdsHarness;
  let nodeId: string;

  beforeAll(async () => {
    harness = await XdsHarness.start({ reflection: true }, 'xds-services');
    nodeId = uniqueNodeId();
    await harness.publish(`t:acme:${nodeId}`, { ...edgeSnapshot(), secret: [secretResource('cert')] }, [
      nodeId,
    ]);
  });

  afterAll(async () => {
    await harness.close();
  });

  const insecure = () => credentials.createInsecure();

  describe('single-type services (same logic, fixed type)', () => {
    it.each([
      [
        'LDS',
        () => new ListenerDiscoveryServiceClient(harness.address, insecure()).streamListeners(),
        [],
        ['http'],
      ],
      [
        'RDS',
        () => new RouteDiscoveryServiceClient(harness.address, insecure()).streamRoutes(),
        ['http-routes'],
        ['http-routes'],
      ],
      [
        'CDS',
        () => new ClusterDiscoveryServiceClient(harness.address, insecure()).streamClusters(),
        [],
        ['backend'],
      ],
      [
        'EDS',
        () => new EndpointDiscoveryServiceClient(harness.address, insecure()).streamEndpoints(),
        ['backend'],
        ['backend'],
      ],
      [
        'SDS',
        () => new SecretDiscoveryServiceClient(harness.address, insecure()).streamSecrets(),
        ['cert'],
        ['cert'],
      ],
    ])(
      '%s Stream* serves its type to requests without type_url',
      async (_service, open, resourceNames, expected) => {
        const stream = new TestStream(open()).send(sotwRequest({ node: { id: nodeId }, resourceNames }));

        expect(namesOf(await stream.next())).toEqual(expected);
        stream.end();
      },
    );

    it.each([
      [
        'LDS',
        () => new ListenerDiscoveryServiceClient(harness.address, insecure()).deltaListeners(),
        LDS,
        [],
        ['http'],
      ],
      [
        'RDS',
        () => new RouteDiscoveryServiceClient(harness.address, insecure()).deltaRoutes(),
        RDS,
        ['http-routes'],
        ['http-routes'],
      ],
      [
        'CDS',
        () => new ClusterDiscoveryServiceClient(harness.address, insecure()).deltaClusters(),
        CDS,
        [],
        ['backend'],
      ],
      [
        'EDS',
        () => new EndpointDiscoveryServiceClient(harness.address, insecure()).deltaEndpoints(),
        EDS,
        ['backend'],
        ['backend'],
      ],
      [
        'SDS',
        () => new SecretDiscoveryServiceClient(harness.address, insecure()).deltaSecrets(),
        SDS,
        ['cert'],
        ['cert'],
      ],
    ])('%s Delta* serves its type', async (_service, open, typeUrl, subscribe, expected) => {
      const stream = new TestStream(open()).send(
        deltaRequest({ node: { id: nodeId }, resourceNamesSubscribe: subscribe }),
      );

      const response = await stream.next();

      expect(response.typeUrl).toBe(typeUrl);
      expect(deltaNamesOf(response)).toEqual(expected);
      stream.end();
    });

    it('refuses another type on a single-type service with INVALID_ARGUMENT', async () => {
      const client = new ListenerDiscoveryServiceClient(harness.address, insecure());
      const stream = new TestStream(client.streamListeners()).send(
        sotwRequest({ node: { id: nodeId }, typeUrl: CDS }),
      );

      expect(await stream.status()).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        details: `this service serves ${LDS}, not ${CDS}`,
      });
    });
  });

  describe('CSDS', () => {
    it('reports per node and type: version, resource names, ACK/NACK state and error detail', async () => {
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      const cds = await stream.next();
      stream.send(sotwRequest({ typeUrl: CDS, versionInfo: cds.versionInfo, responseNonce: cds.nonce }));
      stream.send(sotwRequest({ typeUrl: RDS, resourceNames: ['http-routes', 'absent'] }));
      const rds = await stream.next();
      stream.send(
        sotwRequest({
          typeUrl: RDS,
          responseNonce: rds.nonce,
          resourceNames: ['http-routes', 'absent'],
          errorDetail: { code: 3, message: 'route rejected', details: [] },
        }),
      );
      await harness.event((e) => e.type === 'proxy.nack' && e.aggregateId === nodeId);

      const client = new ClientStatusDiscoveryServiceClient(harness.address, insecure());
      const response = await new Promise<ClientStatusResponse>((resolve, reject) =>
        client.fetchClientStatus(
          {
            nodeMatchers: [{ nodeId: { exact: nodeId, ignoreCase: false }, nodeMetadatas: [] }],
            node: undefined,
            excludeResourceContents: false,
          },
          (error, value) => (error ? reject(error) : resolve(value)),
        ),
      );

      expect(response.config).toHaveLength(1);
      const configs = response.config[0]!.genericXdsConfigs;
      expect(response.config[0]!.node?.id).toBe(nodeId);
      expect(configs.find((config) => config.typeUrl === CDS)).toMatchObject({
        name: 'backend',
        versionInfo: cds.versionInfo,
        configStatus: ConfigStatus.SYNCED,
        clientStatus: ClientResourceStatus.ACKED,
        xdsConfig: { typeUrl: CDS },
      });
      expect(configs.find((config) => config.typeUrl === RDS && config.name === 'http-routes')).toMatchObject(
        {
          configStatus: ConfigStatus.ERROR,
          clientStatus: ClientResourceStatus.NACKED,
          errorState: { details: 'route rejected', versionInfo: rds.versionInfo },
        },
      );
      expect(configs.find((config) => config.name === 'absent')).toMatchObject({
        clientStatus: ClientResourceStatus.DOES_NOT_EXIST,
      });
      stream.end();
    });

    it('answers StreamClientStatus once per request, for matching nodes only', async () => {
      const client = new ClientStatusDiscoveryServiceClient(harness.address, insecure());
      const stream = new TestStream(client.streamClientStatus());

      stream.send({
        nodeMatchers: [{ nodeId: { prefix: 'nobody-', ignoreCase: false }, nodeMetadatas: [] }],
        node: undefined,
        excludeResourceContents: true,
      });

      expect((await stream.next()).config).toEqual([]);
      stream.end();
    });
  });

  describe('gRPC health and reflection', () => {
    it('serves grpc.health.v1 for the server and the ADS service', async () => {
      const Health = makeGenericClientConstructor(healthService, 'Health');
      const client = new Health(harness.address, insecure()) as unknown as Client & {
        check(
          request: { service: string },
          callback: (error: Error | null, response: { status: unknown }) => void,
        ): void;
      };
      const check = (service: string) =>
        new Promise<unknown>((resolve, reject) =>
          client.check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
        );

      expect(await check('')).toBe('SERVING');
      expect(await check('envoy.service.discovery.v3.AggregatedDiscoveryService')).toBe('SERVING');
      client.close();
    });

    it('lists the xDS services through server reflection', async () => {
      const reflectionProto = join(
        require.resolve('@grpc/reflection/package.json'),
        '..',
        'build/proto/grpc/reflection/v1/reflection.proto',
      );
      const grpcPackage = loadPackageDefinition(loadSync(reflectionProto)) as unknown as {
        grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
      };
      const client = new grpcPackage.grpc.reflection.v1.ServerReflection(
        harness.address,
        insecure(),
      ) as unknown as Client & {
        serverReflectionInfo(): ClientDuplexStream<
          object,
          { listServicesResponse?: { service: { name: string }[] } }
        >;
      };
      const stream = new TestStream(client.serverReflectionInfo()).send({ listServices: '' });

      const names = (await stream.next()).listServicesResponse?.service.map((service) => service.name);

      expect(names).toEqual(
        expect.arrayContaining([
          'envoy.service.discovery.v3.AggregatedDiscoveryService',
          'envoy.service.listener.v3.ListenerDiscoveryService',
          'envoy.service.status.v3.ClientStatusDiscoveryService',
          'grpc.health.v1.Health',
        ]),
      );
      stream.end();
      client.close();
    });
  });

  describe('metrics', () => {
    it('counts streams, pushes by type, push sizes, push-to-ACK latency and ACKs by type', async () => {
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      const cds = await stream.next();
      stream.send(sotwRequest({ typeUrl: CDS, versionInfo: cds.versionInfo, responseNonce: cds.nonce }));
      await harness.event(
        (e) => e.type === 'proxy.ack' && 'nonce' in e.payload && e.payload.nonce === cds.nonce,
      );

      const text = await harness.registry.metrics();

      const cluster = 'type="envoy.config.cluster.v3.Cluster"';
      expect(text).toMatch(/^xds_streams [1-9]/m);
      expect(text).toMatch(/^xds_connected_proxies [1-9]/m);
      expect(text).toMatch(new RegExp(`^xds_pushes_total\\{${cluster}\\} [1-9]`, 'm'));
      expect(text).toMatch(new RegExp(`^xds_push_size_bytes_count\\{${cluster}\\} [1-9]`, 'm'));
      expect(text).toMatch(new RegExp(`^xds_push_ack_latency_seconds_count\\{${cluster}\\} [1-9]`, 'm'));
      expect(text).toMatch(new RegExp(`^xds_acks_total\\{${cluster}\\} [1-9]`, 'm'));
      stream.end();
    });
  });
});
