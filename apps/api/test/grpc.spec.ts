import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  Metadata,
  type ServiceClientConstructor,
  type ServiceError,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { runMigrations } from '@envoy-fleet/db';
import {
  ChangeType,
  type Config,
  ControlPlaneServiceClient,
  NodeStatus,
  type StreamProxyEventsResponse,
} from '@envoy-fleet/proto/management';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { service as healthService } from 'grpc-health-check';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ProxyView } from '../src/modules/proxies/proxy.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { edgeConfig, edsCluster, routeConfiguration } from './fixtures/proxy-configs';
import { ApiClient } from './support/api-client';
import { type ApiProcess, startApiProcess } from './support/api-process';
import { call, failure } from './support/grpc-calls';

interface ReflectionResponse {
  readonly listServicesResponse?: { service: { name: string }[] };
  readonly fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
}

/** Reads a server stream message by message. */
class StreamReader<T> {
  private readonly queue: T[] = [];
  private readonly waiting: { resolve: (value: T) => void; reject: (error: Error) => void }[] = [];
  private failed: Error | undefined;

  constructor(readonly stream: ClientReadableStream<T>) {
    stream.on('data', (message: T) => {
      const waiter = this.waiting.shift();
      if (waiter === undefined) this.queue.push(message);
      else waiter.resolve(message);
    });
    stream.on('error', (error: Error) => {
      this.failed = error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    });
  }

  next(): Promise<T> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }
}

const bearer = (token: string): Metadata => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

const routeTo = (cluster: string) => ({
  ...(edgeConfig('draft') as { spec: Record<string, unknown> }).spec,
  routes: [routeConfiguration('edge_routes', cluster)],
});

/** The management gRPC API of the built api process (`node dist/main.js`), over PostgreSQL and NATS. */
describe('ControlPlaneService over gRPC', () => {
  let database: TestDatabase;
  let api: ApiProcess;
  let address: string;
  let client: ControlPlaneServiceClient;
  let rest: ApiClient;
  const adminKey = `test-bootstrap-${randomBytes(16).toString('hex')}`;
  let viewerKey: string;
  let adminB: string;

  const configOf = (name: string): Config => {
    const document = edgeConfig(name) as {
      metadata: { labels: Record<string, string> };
      spec: Config['spec'];
    };
    return {
      id: '',
      name,
      description: 'edge proxies',
      labels: document.metadata.labels,
      spec: document.spec,
      currentVersion: 0,
      createTime: undefined,
      updateTime: undefined,
      etag: '',
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'api-grpc' });
    api = await startApiProcess({
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      GRPC_PORT: await freePort(),
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.appUrl,
      DATABASE_SYSTEM_URL: database.systemUrl,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: `api_grpc_${randomBytes(3).toString('hex')}`,
      API_INSTANCE_ID: `grpc-${randomBytes(3).toString('hex')}`,
      FLEET_BOOTSTRAP_TOKEN: adminKey,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    address = api.endpoints.find((endpoint) => endpoint.label === 'gRPC API')?.address ?? '';
    client = new ControlPlaneServiceClient(address, credentials.createInsecure());
    rest = new ApiClient(api.url, adminKey);
    const viewer = await rest.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'viewer', role: 'viewer' });
    viewerKey = viewer.body.secret;
    const tenant = await rest.post<CreatedTenantView>('/api/v1/tenants', {
      name: 'tenant-b',
      displayName: 'B',
    });
    adminB = tenant.body.adminApiKey.secret;
  }, 90_000);

  afterAll(async () => {
    client?.close();
    expect(await api?.stop()).toBe(0);
    await database?.drop();
  });

  it('reports its gRPC endpoint like the REST one', () => {
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('serves grpc.health.v1 as SERVING for the server and ControlPlaneService', async () => {
    const Health = makeGenericClientConstructor(healthService, 'Health');
    const health = new Health(address, credentials.createInsecure()) as unknown as Client & {
      check(
        request: { service: string },
        callback: (error: Error | null, response: { status: string }) => void,
      ): void;
    };
    const check = (service: string) =>
      new Promise<string>((resolve, reject) =>
        health.check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
      );

    expect(await check('')).toBe('SERVING');
    expect(await check('envoyfleet.v1.ControlPlaneService')).toBe('SERVING');
    health.close();
  });

  it('lists ControlPlaneService and health through server reflection, and describes its file', async () => {
    const reflectionProto = join(
      require.resolve('@grpc/reflection/package.json'),
      '..',
      'build/proto/grpc/reflection/v1/reflection.proto',
    );
    const grpcPackage = loadPackageDefinition(loadSync(reflectionProto)) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
    };
    const reflection = new grpcPackage.grpc.reflection.v1.ServerReflection(
      address,
      credentials.createInsecure(),
    ) as unknown as Client & {
      serverReflectionInfo(): ClientDuplexStream<object, ReflectionResponse>;
    };
    const stream = reflection.serverReflectionInfo();
    const reader = new StreamReader<ReflectionResponse>(stream);
    stream.write({ listServices: '' });
    const listed = await reader.next();
    stream.write({ fileContainingSymbol: 'envoyfleet.v1.ControlPlaneService' });
    const described = await reader.next();
    stream.end();
    reflection.close();

    expect(listed.listServicesResponse?.service.map((service) => service.name)).toEqual(
      expect.arrayContaining(['envoyfleet.v1.ControlPlaneService', 'grpc.health.v1.Health']),
    );
    expect(described.fileDescriptorResponse?.fileDescriptorProto.length).toBeGreaterThan(0);
  });

  describe('authentication and roles', () => {
    it('answers UNAUTHENTICATED without a token or with a bad one', async () => {
      const missing = await failure(
        call(
          client,
          'listConfigs',
          { pageSize: 0, pageToken: '', labelSelector: '', nameContains: '' },
          undefined,
        ),
      );
      const wrong = await failure(
        call(
          client,
          'listConfigs',
          { pageSize: 0, pageToken: '', labelSelector: '', nameContains: '' },
          'efk_not-a-key',
        ),
      );

      expect(missing.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(missing.errorInfo).toMatchObject({ reason: 'UNAUTHENTICATED', domain: 'envoy-fleet.dev' });
      expect(wrong.code).toBe(GrpcStatus.UNAUTHENTICATED);
    });

    it('answers PERMISSION_DENIED when the role is too low, and lets a viewer read', async () => {
      const denied = await failure(
        call(client, 'createConfig', { config: configOf('edge-viewer'), message: '' }, viewerKey),
      );
      const listed = await call(
        client,
        'listConfigs',
        { pageSize: 0, pageToken: '', labelSelector: '', nameContains: '' },
        viewerKey,
      );

      expect(denied.code).toBe(GrpcStatus.PERMISSION_DENIED);
      expect(denied.errorInfo?.metadata).toEqual({ required: 'operator', held: 'viewer' });
      expect(listed.configs).toEqual([]);
    });

    it('accepts an access token exchanged for an API key', async () => {
      const token = await rest.post<{ accessToken: string }>('/api/v1/auth/token');

      const listed = await call(
        client,
        'listNodes',
        { pageSize: 0, pageToken: '', labelSelector: '', region: '', zone: '', status: 0 },
        token.body.accessToken,
      );

      expect(listed.nodes).toEqual([]);
    });
  });

  describe('configs and versions', () => {
    it('creates, reads, lists, updates, diffs, rolls back and deletes a config', async () => {
      const created = (
        await call(client, 'createConfig', { config: configOf('edge'), message: 'first' }, adminKey)
      ).config as Config;
      expect(created).toMatchObject({
        name: 'edge',
        currentVersion: 1,
        etag: 'W/"1"',
        labels: { team: 'edge' },
      });
      expect(created.spec?.clusters[0]).toMatchObject({ name: 'api' });

      const read = await call(client, 'getConfig', { id: created.id }, viewerKey);
      expect(read.config).toEqual(created);
      const listed = await call(
        client,
        'listConfigs',
        { pageSize: 1, pageToken: '', labelSelector: 'team=edge', nameContains: '' },
        viewerKey,
      );
      expect(listed.configs.map((config) => config.id)).toEqual([created.id]);

      const changedSpec = { ...created.spec, clusters: [edsCluster('api', '5s')] } as Config['spec'];
      const updated = (
        await call(
          client,
          'updateConfig',
          {
            config: { ...created, spec: changedSpec },
            updateMask: ['spec'],
            etag: created.etag,
            message: 'slower',
          },
          adminKey,
        )
      ).config as Config;
      expect(updated).toMatchObject({ currentVersion: 2, etag: 'W/"2"', description: 'edge proxies' });

      const relabelled = (
        await call(
          client,
          'updateConfig',
          {
            config: { ...updated, labels: { tier: 'front' }, description: 'ignored' },
            updateMask: ['labels'],
            etag: '',
            message: '',
          },
          adminKey,
        )
      ).config as Config;
      expect(relabelled).toMatchObject({
        labels: { tier: 'front' },
        description: 'edge proxies',
        currentVersion: 3,
      });

      const versions = await call(
        client,
        'listConfigVersions',
        { configId: created.id, pageSize: 0, pageToken: '' },
        viewerKey,
      );
      expect(versions.versions.map((version) => [version.version, version.message])).toEqual([
        [3, ''],
        [2, 'slower'],
        [1, 'first'],
      ]);
      const first = await call(client, 'getConfigVersion', { configId: created.id, version: 1 }, viewerKey);
      expect(first.version?.spec?.clusters[0]).not.toHaveProperty('connect_timeout', '5s');

      const diff = await call(
        client,
        'diffConfigVersions',
        { configId: created.id, fromVersion: 1, toVersion: 2 },
        viewerKey,
      );
      expect(diff.changes).toEqual([
        expect.objectContaining({
          typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
          name: 'api',
          change: ChangeType.CHANGE_TYPE_MODIFIED,
          after: expect.objectContaining({ connect_timeout: '5s' }),
        }),
      ]);

      const rolledBack = await call(
        client,
        'rollbackConfig',
        { configId: created.id, toVersion: 1, etag: relabelled.etag, message: '' },
        adminKey,
      );
      expect(rolledBack.config?.currentVersion).toBe(4);
      expect(rolledBack.version).toMatchObject({
        version: 4,
        message: 'rollback to version 1',
        contentHash: first.version?.contentHash,
      });

      await call(client, 'deleteConfig', { id: created.id, etag: rolledBack.config?.etag ?? '' }, adminKey);
      const gone = await failure(call(client, 'getConfig', { id: created.id }, viewerKey));
      expect(gone.code).toBe(GrpcStatus.NOT_FOUND);
      expect(gone.resourceInfo).toMatchObject({ resourceType: 'config', resourceName: created.id });
    });

    it('refuses a stale ETag with ABORTED and a precondition failure, storing nothing', async () => {
      const created = (
        await call(client, 'createConfig', { config: configOf('edge-stale'), message: '' }, adminKey)
      ).config as Config;
      await call(
        client,
        'updateConfig',
        {
          config: { ...created, description: 'one' },
          updateMask: ['description'],
          etag: created.etag,
          message: '',
        },
        adminKey,
      );

      const stale = await failure(
        call(
          client,
          'updateConfig',
          {
            config: { ...created, description: 'two' },
            updateMask: ['description'],
            etag: created.etag,
            message: '',
          },
          adminKey,
        ),
      );
      const staleDelete = await failure(
        call(client, 'deleteConfig', { id: created.id, etag: created.etag }, adminKey),
      );

      expect(stale.code).toBe(GrpcStatus.ABORTED);
      expect(stale.preconditionFailure?.violations[0]).toMatchObject({ type: 'PRECONDITION_FAILED' });
      expect(staleDelete.code).toBe(GrpcStatus.ABORTED);
      expect((await call(client, 'getConfig', { id: created.id }, adminKey)).config?.description).toBe('one');
    });

    it('reports malformed requests and invalid content as INVALID_ARGUMENT with field violations', async () => {
      const malformed = await failure(
        call(
          client,
          'createConfig',
          {
            config: {
              ...configOf('-bad name-'),
              spec: { ...configOf('x').spec, clusters: [{ name: 'c', no_such_field: 1 }] } as Config['spec'],
            },
            message: '',
          },
          adminKey,
        ),
      );
      const invalid = await failure(
        call(
          client,
          'createConfig',
          {
            config: { ...configOf('edge-invalid'), spec: routeTo('missing') as Config['spec'] },
            message: '',
          },
          adminKey,
        ),
      );
      const stored = await call(
        client,
        'createConfig',
        { config: configOf('edge-mask'), message: '' },
        adminKey,
      );
      const badMask = await failure(
        call(
          client,
          'updateConfig',
          { config: stored.config, updateMask: ['labels', 'current_version'], etag: '', message: '' },
          adminKey,
        ),
      );
      const badId = await failure(call(client, 'getConfig', { id: 'edge' }, adminKey));
      const badPage = await failure(
        call(
          client,
          'listConfigs',
          { pageSize: 501, pageToken: 'x', labelSelector: '', nameContains: '' },
          adminKey,
        ),
      );

      expect(malformed.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(malformed.errorInfo?.reason).toBe('INVALID_REQUEST');
      expect(malformed.badRequest?.fieldViolations.map((violation) => violation.field)).toContain(
        'config.name',
      );
      expect(invalid.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(invalid.errorInfo?.reason).toBe('VALIDATION_FAILED');
      expect(invalid.badRequest?.fieldViolations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: expect.stringMatching(/^config\.spec\.routes\[0\]\./) as string }),
        ]),
      );
      expect(badMask.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(badMask.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([
        'update_mask.paths[1]',
      ]);
      expect(badId.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(badId.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual(['id']);
      expect(badPage.badRequest?.fieldViolations.map((violation) => violation.field)).toContain('page_size');
    });

    it('validates a stored config or a draft without storing anything', async () => {
      const created = (
        await call(client, 'createConfig', { config: configOf('edge-valid'), message: '' }, adminKey)
      ).config as Config;

      const stored = await call(client, 'validateConfig', { id: created.id }, viewerKey);
      const draft = await call(
        client,
        'validateConfig',
        { spec: routeTo('missing') as Config['spec'] },
        viewerKey,
      );
      const neither = await failure(call(client, 'validateConfig', {}, viewerKey));

      expect(stored).toEqual({ valid: true, issues: [] });
      expect(draft.valid).toBe(false);
      expect(draft.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
            resourceName: 'edge_routes',
            path: expect.stringContaining('cluster') as string,
          }),
        ]),
      );
      expect(neither.badRequest?.fieldViolations[0]?.field).toBe('target');
    });
  });

  describe('nodes, proxy groups and proxies', () => {
    it('manages the fleet and refuses to delete a node that hosts proxies unless forced', async () => {
      const node = (
        await call(
          client,
          'createNode',
          {
            node: {
              id: '',
              hostname: 'vm-1',
              addresses: ['10.0.0.1'],
              region: 'eu',
              zone: 'eu-1a',
              labels: { pool: 'edge' },
              capacity: { cpuMillis: 4000, memoryBytes: String(8192 * 1024 * 1024), maxProxies: 0 },
              agentVersion: '',
              dockerVersion: '',
              status: NodeStatus.NODE_STATUS_READY,
              health: 0,
              lastHeartbeatTime: undefined,
              createTime: undefined,
              updateTime: undefined,
              etag: '',
            },
          },
          adminKey,
        )
      ).node;
      expect(node).toMatchObject({
        hostname: 'vm-1',
        status: NodeStatus.NODE_STATUS_READY,
        capacity: { memoryBytes: String(8192 * 1024 * 1024) },
      });
      const ready = await call(
        client,
        'listNodes',
        {
          pageSize: 0,
          pageToken: '',
          labelSelector: 'pool=edge',
          region: 'eu',
          zone: '',
          status: NodeStatus.NODE_STATUS_READY,
        },
        viewerKey,
      );
      expect(ready.nodes.map((each) => each.id)).toEqual([node?.id]);
      const drained = await call(
        client,
        'updateNode',
        {
          node: { ...node!, status: NodeStatus.NODE_STATUS_DRAINING, hostname: 'ignored' },
          updateMask: ['status'],
          etag: node!.etag,
        },
        adminKey,
      );
      expect(drained.node).toMatchObject({
        hostname: 'vm-1',
        status: NodeStatus.NODE_STATUS_DRAINING,
        etag: 'W/"2"',
      });

      const group = (
        await call(
          client,
          'createProxyGroup',
          {
            group: {
              id: '',
              name: 'edge',
              parentId: '',
              description: '',
              labels: {},
              desiredReplicas: 0,
              image: 'envoyproxy/envoy:v1.32-latest',
              resourceLimits: undefined,
              createTime: undefined,
              updateTime: undefined,
              etag: '',
            },
          },
          adminKey,
        )
      ).group;
      expect(group).toMatchObject({ name: 'edge', parentId: '', image: 'envoyproxy/envoy:v1.32-latest' });
      const renamed = await call(
        client,
        'updateProxyGroup',
        { group: { ...group!, description: 'front door' }, updateMask: [], etag: '' },
        adminKey,
      );
      expect(renamed.group?.description).toBe('front door');
      const scaled = await call(
        client,
        'scaleProxyGroup',
        { id: group!.id, replicas: 3, etag: renamed.group!.etag },
        adminKey,
      );
      expect(scaled.group).toMatchObject({ desiredReplicas: 3, description: 'front door' });
      const staleScale = await failure(
        call(client, 'scaleProxyGroup', { id: group!.id, replicas: 0, etag: renamed.group!.etag }, adminKey),
      );
      expect(staleScale.code).toBe(GrpcStatus.ABORTED);
      expect((await call(client, 'getProxyGroup', { id: group!.id }, viewerKey)).group?.description).toBe(
        'front door',
      );
      expect(
        (
          await call(
            client,
            'listProxyGroups',
            { pageSize: 0, pageToken: '', labelSelector: '', parentId: '' },
            viewerKey,
          )
        ).groups,
      ).toHaveLength(1);

      const proxy = (
        await call(
          client,
          'createProxy',
          {
            proxy: {
              id: '',
              nodeId: 'edge-grpc-1',
              groupId: group!.id,
              vmId: node!.id,
              containerId: '',
              containerName: 'envoy-edge-grpc-1',
              image: 'envoyproxy/envoy:v1.32-latest',
              proxyPort: 10_000,
              adminPort: 20_000,
              desiredState: 0,
              phase: 0,
              health: 0,
              labels: { app: 'edge' },
              metadata: { team: 'edge' },
              resourceLimits: undefined,
              createTime: undefined,
              updateTime: undefined,
              etag: '',
            },
          },
          adminKey,
        )
      ).proxy;
      expect(proxy).toMatchObject({ nodeId: 'edge-grpc-1', desiredState: 1, metadata: { team: 'edge' } });
      expect((await call(client, 'getProxy', { id: proxy!.id }, viewerKey)).proxy).toEqual(proxy);
      expect((await call(client, 'getProxy', { id: 'edge-grpc-1' }, viewerKey)).proxy?.id).toBe(proxy?.id);
      const inGroup = await call(
        client,
        'listProxies',
        {
          pageSize: 0,
          pageToken: '',
          labelSelector: 'app=edge',
          groupId: group!.id,
          vmId: '',
          phase: 0,
          health: 0,
        },
        viewerKey,
      );
      expect(inGroup.proxies.map((each) => each.id)).toEqual([proxy?.id]);
      const relabelled = await call(
        client,
        'updateProxy',
        {
          proxy: { ...proxy!, labels: { app: 'edge', tier: 'one' }, proxyPort: 1 },
          updateMask: ['labels'],
          etag: proxy!.etag,
        },
        adminKey,
      );
      expect(relabelled.proxy).toMatchObject({ labels: { app: 'edge', tier: 'one' }, proxyPort: 10_000 });
      const status = await call(client, 'getProxyStatus', { id: 'edge-grpc-1' }, viewerKey);
      expect(status.status).toMatchObject({
        proxyId: proxy?.id,
        nodeId: 'edge-grpc-1',
        xdsConnected: false,
        configId: '',
      });
      expect(status.status?.xds).toHaveLength(5);

      const hosting = await failure(
        call(client, 'deleteNode', { id: node!.id, etag: '', force: false }, adminKey),
      );
      expect(hosting.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      const groupInUse = await failure(
        call(client, 'deleteProxyGroup', { id: group!.id, etag: '', force: false }, adminKey),
      );
      expect(groupInUse.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      await call(client, 'deleteNode', { id: node!.id, etag: '', force: true }, adminKey);
      expect((await failure(call(client, 'getProxy', { id: proxy!.id }, viewerKey))).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
      expect((await failure(call(client, 'getNode', { id: node!.id }, viewerKey))).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
      await call(client, 'deleteProxyGroup', { id: group!.id, etag: '', force: false }, adminKey);
    });

    it('names the refused field of a node', async () => {
      const refused = await failure(
        call(
          client,
          'createNode',
          {
            node: {
              id: '',
              hostname: '',
              addresses: [],
              region: '',
              zone: '',
              labels: {},
              capacity: { cpuMillis: 1, memoryBytes: '1', maxProxies: 0 },
              agentVersion: '',
              dockerVersion: '',
              status: 0,
              health: 0,
              lastHeartbeatTime: undefined,
              createTime: undefined,
              updateTime: undefined,
              etag: '',
            },
          },
          adminKey,
        ),
      );

      expect(refused.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(refused.badRequest?.fieldViolations[0]?.field).toBe('node.capacity.memory_bytes');
    });
  });

  describe('webhook subscriptions', () => {
    it('creates (secret shown once), reads, lists, updates, lists deliveries of and deletes a subscription', async () => {
      const subscription = {
        id: '',
        name: 'audit',
        url: 'https://hooks.example.test/envoy-fleet',
        eventTypes: ['config.created'],
        enabled: true,
        description: '',
        maxAttempts: 0,
        signingSecret: '',
        createTime: undefined,
        updateTime: undefined,
        etag: '',
      };

      const created = (await call(client, 'createWebhookSubscription', { subscription }, adminKey))
        .subscription;
      expect(created).toMatchObject({
        name: 'audit',
        maxAttempts: 8,
        signingSecret: expect.stringMatching(/^whsec_/) as string,
      });
      const read = (await call(client, 'getWebhookSubscription', { id: created!.id }, viewerKey))
        .subscription;
      expect(read).toMatchObject({ id: created?.id, signingSecret: '' });
      const listed = await call(
        client,
        'listWebhookSubscriptions',
        { pageSize: 0, pageToken: '' },
        viewerKey,
      );
      expect(listed.subscriptions.map((each) => each.id)).toEqual([created?.id]);
      const disabled = await call(
        client,
        'updateWebhookSubscription',
        {
          subscription: { ...read!, enabled: false, name: 'ignored' },
          updateMask: ['enabled'],
          etag: read!.etag,
        },
        adminKey,
      );
      expect(disabled.subscription).toMatchObject({ enabled: false, name: 'audit', etag: 'W/"2"' });
      const deliveries = await call(
        client,
        'listWebhookDeliveries',
        { subscriptionId: created!.id, pageSize: 0, pageToken: '', status: 0 },
        viewerKey,
      );
      expect(deliveries.deliveries).toEqual([]);
      const badEvent = await failure(
        call(
          client,
          'createWebhookSubscription',
          { subscription: { ...subscription, eventTypes: ['nope'] } },
          adminKey,
        ),
      );
      expect(badEvent.badRequest?.fieldViolations[0]?.field).toBe('subscription.event_types[0]');

      await call(client, 'deleteWebhookSubscription', { id: created!.id, etag: '' }, adminKey);
      expect(
        (await failure(call(client, 'getWebhookSubscription', { id: created!.id }, viewerKey))).code,
      ).toBe(GrpcStatus.NOT_FOUND);
    });
  });

  describe('tenant isolation', () => {
    it("shows tenant B nothing of tenant A's, by list or by id", async () => {
      const ofA = (await call(client, 'createConfig', { config: configOf('edge-a'), message: '' }, adminKey))
        .config as Config;

      const listed = await call(
        client,
        'listConfigs',
        { pageSize: 0, pageToken: '', labelSelector: '', nameContains: '' },
        adminB,
      );
      const byId = await failure(call(client, 'getConfig', { id: ofA.id }, adminB));
      const deleted = await failure(call(client, 'deleteConfig', { id: ofA.id, etag: '' }, adminB));

      expect(listed.configs).toEqual([]);
      expect(byId.code).toBe(GrpcStatus.NOT_FOUND);
      expect(deleted.code).toBe(GrpcStatus.NOT_FOUND);
      expect((await call(client, 'getConfig', { id: ofA.id }, adminKey)).config?.id).toBe(ofA.id);
    });
  });

  describe('StreamProxyEvents', () => {
    const open = (token: string, eventTypes: string[]) =>
      new StreamReader<StreamProxyEventsResponse>(
        client.streamProxyEvents({ proxyIds: [], groupId: '', eventTypes }, bearer(token)),
      );

    it('streams the events a REST write causes, to the writing tenant only', async () => {
      const streamA = open(adminKey, ['proxy.changed']);
      const streamB = open(adminB, ['proxy.changed']);
      const groupA = await rest.post<{ id: string }>('/api/v1/proxy-groups', { name: 'stream-a' });
      const restB = new ApiClient(api.url, adminB);
      const groupB = await restB.post<{ id: string }>('/api/v1/proxy-groups', { name: 'stream-b' });
      const proxyBody = (nodeId: string, groupId: string) => ({
        nodeId,
        groupId,
        containerName: nodeId,
        proxyPort: 10_001,
        adminPort: 19_001,
        image: 'envoyproxy/envoy:v1.32-latest',
      });

      const proxyA = await rest.post<ProxyView>('/api/v1/proxies', proxyBody('stream-a-1', groupA.body.id));
      expect(proxyA.status).toBe(201);
      const seenByA = await streamA.next();
      const proxyB = await restB.post<ProxyView>('/api/v1/proxies', proxyBody('stream-b-1', groupB.body.id));
      const seenByB = await streamB.next();
      streamA.stream.cancel();
      streamB.stream.cancel();

      expect(seenByA.event).toMatchObject({
        type: 'proxy.changed',
        proxyId: proxyA.body.id,
        nodeId: 'stream-a-1',
        payload: { change: 'created' },
      });
      expect(seenByB.event).toMatchObject({ type: 'proxy.changed', proxyId: proxyB.body.id });
    });

    it('refuses an event type outside the catalogue and an unauthenticated caller', async () => {
      const unknownType = await failure(open(adminKey, ['proxy.exploded']).next());
      const anonymous = new StreamReader<StreamProxyEventsResponse>(
        client.streamProxyEvents({ proxyIds: [], groupId: '', eventTypes: [] }),
      );
      const anonymousError = (await anonymous.next().catch((error: unknown) => error)) as ServiceError;

      expect(unknownType.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(unknownType.badRequest?.fieldViolations[0]?.field).toBe('event_types[0]');
      expect(anonymousError.code).toBe(GrpcStatus.UNAUTHENTICATED);
    });
  });

  // Last: it stops the process.
  it('ends open event streams with OK on SIGTERM, and exits 0', async () => {
    const events = client.streamProxyEvents(
      { proxyIds: [], groupId: '', eventTypes: ['group.changed'] },
      bearer(adminKey),
    );
    const reader = new StreamReader<StreamProxyEventsResponse>(events);
    const ended = new Promise<number>((resolve) =>
      events.on('status', (status: { code: number }) => resolve(status.code)),
    );
    await rest.post('/api/v1/proxy-groups', { name: 'before-shutdown' });
    expect((await reader.next()).event?.type).toBe('group.changed');

    expect(await api.stop()).toBe(0);
    expect(await ended).toBe(GrpcStatus.OK);
  });
});
