import { randomBytes, randomUUID } from 'node:crypto';
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { type AgentCommand, JetStreamEventBus, type Subscription } from '@envoy-fleet/messaging';
import {
  ControlPlaneServiceClient,
  RolloutState,
  RolloutStrategy,
  WebhookDeliveryStatus,
  XdsResourceType,
} from '@envoy-fleet/proto/management';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { RestartRequestView } from '../src/modules/proxy-restart/proxy-restart.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import type { CreatedWebhookView, WebhookDeliveryView } from '../src/modules/webhooks/webhook.dto';
import { edgeConfig, edsCluster, routeConfiguration, tlsSecret } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';
import { call, failure as grpcFailure } from './support/grpc-calls';

/** The status code and field violations of a call that must fail. */
async function failure(promise: Promise<unknown>): Promise<{ code: number; fields: string[] }> {
  const { code, badRequest } = await grpcFailure(promise);
  return { code, fields: badRequest?.fieldViolations.map((violation) => violation.field) ?? [] };
}

/** The rollout, restart and webhook replay RPCs of ControlPlaneService, over the same services as REST. */
describe('ControlPlaneService operations over gRPC', () => {
  const namespace = `api_grpc_ops_${randomBytes(3).toString('hex')}`;
  let api: ApiUnderTest;
  let client: ControlPlaneServiceClient;
  let bus: JetStreamEventBus;
  let group: ProxyGroupView;
  let vmId: string;
  let viewerKey: string;
  let otherTenantKey: string;

  beforeAll(async () => {
    const grpcPort = await freePort();
    api = await startApi('grpc_operations', { NATS_NAMESPACE: namespace, GRPC_PORT: grpcPort });
    client = new ControlPlaneServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    bus = JetStreamEventBus.create({ servers: TEST_NATS_URL, name: 'grpc-operations-agent', namespace });
    await bus.provisionStreams();
    group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'ops' })).body;
    vmId = (
      await api.admin.post<{ id: string }>('/api/v1/nodes', {
        hostname: 'vm-ops',
        capacity: { cpuMillicores: 2_000, memoryMib: 2_048 },
        status: 'ready',
      })
    ).body.id;
    const proxies: [string, string | null][] = [
      ['ops-1', vmId],
      ['ops-unplaced', null],
    ];
    for (const [index, [nodeId, vm]] of proxies.entries()) {
      const created = await api.admin.post('/api/v1/proxies', {
        nodeId,
        groupId: group.id,
        vmId: vm,
        containerName: `envoy-proxy-ops-00${index}`,
        proxyPort: 10_000 + index,
        adminPort: 20_000 + index,
        image: 'envoyproxy/envoy:v1.31.0',
      });
      expect(created.status).toBe(201);
    }
    viewerKey = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'ops-viewer', role: 'viewer' })
    ).body.secret;
    otherTenantKey = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'ops-tenant-b', displayName: 'B' })
    ).body.adminApiKey.secret;
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await bus?.close();
    await api?.close();
  });

  describe('rollouts', () => {
    let config: ConfigChangeView;

    beforeAll(async () => {
      config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('ops-edge'))).body;
    });

    const rolloutOf = (target: { groupIds?: string[]; proxyIds?: string[]; labelSelector?: string }) => ({
      id: '',
      configId: config.id,
      target: { groupIds: [], proxyIds: [], labelSelector: '', ...target },
      configVersion: 0,
      configVersionId: '',
      baseVersionId: '',
      strategy: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
      waves: [{ proxies: 1 }, { percent: 100 }],
      gates: { bake: { seconds: '30', nanos: 0 }, maxNackedRatio: 0, autoRollback: true },
      state: RolloutState.ROLLOUT_STATE_UNSPECIFIED,
      currentWave: 0,
      waveProxies: [],
      waveSettleTime: undefined,
      reason: '',
      createdBy: '',
      startTime: undefined,
      finishTime: undefined,
      createTime: undefined,
      updateTime: undefined,
      etag: '',
    });

    it('refuses an invalid plan or target with the request field, and a viewer', async () => {
      const twoTargets = await failure(
        call(
          client,
          'createRollout',
          { rollout: rolloutOf({ groupIds: [group.id], labelSelector: 'a=b' }) },
          api.adminKey,
        ),
      );
      const shortWaves = await failure(
        call(
          client,
          'createRollout',
          { rollout: { ...rolloutOf({ groupIds: [group.id] }), waves: [{ percent: 50 }] } },
          api.adminKey,
        ),
      );
      const fractionalBake = await failure(
        call(
          client,
          'createRollout',
          {
            rollout: { ...rolloutOf({ groupIds: [group.id] }), gates: { bake: { seconds: '1', nanos: 5 } } },
          },
          api.adminKey,
        ),
      );
      const asViewer = await failure(
        call(client, 'createRollout', { rollout: rolloutOf({ groupIds: [group.id] }) }, viewerKey),
      );

      expect(twoTargets).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, fields: ['rollout.target'] });
      expect(shortWaves.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(shortWaves).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, fields: ['rollout.waves[0].percent'] });
      expect(fractionalBake).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, fields: ['rollout.gates.bake'] });
      expect(asViewer.code).toBe(GrpcStatus.PERMISSION_DENIED);
      expect(await api.sql('SELECT id FROM rollouts')).toEqual([]);
    });

    it('creates a rollout by applying the config to a group, reads, lists and steers it with its ETag', async () => {
      const created = await call(
        client,
        'createRollout',
        { rollout: rolloutOf({ groupIds: [group.id] }) },
        api.adminKey,
      );
      const rollout = created.rollout;

      expect(rollout).toMatchObject({
        configId: config.id,
        configVersionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        strategy: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
        waves: [{ proxies: 1 }, { percent: 100 }],
        gates: {
          bake: { seconds: '30', nanos: 0 },
          maxNackedRatio: 0,
          minHealthyRatio: 1,
          autoRollback: true,
        },
        state: RolloutState.ROLLOUT_STATE_PENDING,
        createdBy: expect.stringMatching(/^api_key:/) as unknown,
        etag: 'W/"1"',
      });
      const bindings = await api.sql<{ group_id: string }>(
        'SELECT group_id FROM config_bindings WHERE config_id = $1',
        [config.id],
      );
      expect(bindings).toEqual([{ group_id: group.id }]);
      const second = await failure(
        call(client, 'createRollout', { rollout: rolloutOf({ groupIds: [group.id] }) }, api.adminKey),
      );
      expect(second.code).toBe(GrpcStatus.FAILED_PRECONDITION);

      const read = await call(client, 'getRollout', { id: rollout?.id ?? '' }, viewerKey);
      const listed = await call(
        client,
        'listRollouts',
        { pageSize: 0, pageToken: '', configId: config.id, state: RolloutState.ROLLOUT_STATE_PENDING },
        viewerKey,
      );
      const none = await call(
        client,
        'listRollouts',
        { pageSize: 0, pageToken: '', configId: config.id, state: RolloutState.ROLLOUT_STATE_COMPLETED },
        viewerKey,
      );
      expect(read.rollout?.id).toBe(rollout?.id);
      expect(listed.rollouts.map((each) => each.id)).toEqual([rollout?.id]);
      expect(none.rollouts).toEqual([]);

      const id = rollout?.id ?? '';
      const stale = await failure(call(client, 'abortRollout', { id, etag: 'W/"7"' }, api.adminKey));
      const promotePending = await failure(call(client, 'promoteRollout', { id, etag: '' }, api.adminKey));
      const aborted = await call(client, 'abortRollout', { id, etag: 'W/"1"' }, api.adminKey);
      const resumeAborted = await failure(call(client, 'resumeRollout', { id, etag: '' }, api.adminKey));
      const pauseAsViewer = await failure(call(client, 'pauseRollout', { id, etag: '' }, viewerKey));
      const fromOtherTenant = await failure(call(client, 'getRollout', { id }, otherTenantKey));

      expect(stale.code).toBe(GrpcStatus.ABORTED);
      expect(promotePending.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(aborted.rollout).toMatchObject({
        state: RolloutState.ROLLOUT_STATE_ABORTED,
        reason: expect.stringContaining('aborted by api_key:') as unknown,
        etag: 'W/"2"',
      });
      expect(resumeAborted.code).toBe(GrpcStatus.FAILED_PRECONDITION);
      expect(pauseAsViewer.code).toBe(GrpcStatus.PERMISSION_DENIED);
      expect(fromOtherTenant.code).toBe(GrpcStatus.NOT_FOUND);
      const events = await api.sql<{ type: string }>(
        `SELECT type FROM outbox WHERE aggregate_id = $1 ORDER BY id`,
        [id],
      );
      expect(events.map((event) => event.type)).toEqual(['rollout.changed', 'rollout.changed']);
    });
  });

  describe('xDS resources', () => {
    let config: ConfigChangeView;
    const CLUSTER = XdsResourceType.XDS_RESOURCE_TYPE_CLUSTER;

    beforeAll(async () => {
      config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('ops-resources'))).body;
    });

    it('creates, reads, lists, updates and deletes a cluster, each write a new config version', async () => {
      const created = await call(
        client,
        'createXdsResource',
        { configId: config.id, type: CLUSTER, resource: edsCluster('billing'), message: 'billing over gRPC' },
        api.adminKey,
      );
      const read = await call(
        client,
        'getXdsResource',
        { configId: config.id, type: CLUSTER, name: 'billing' },
        viewerKey,
      );
      const listed = await call(
        client,
        'listXdsResources',
        {
          type: CLUSTER,
          pageSize: 1,
          pageToken: '',
          configId: config.id,
          name: '',
          labelSelector: 'team=edge',
        },
        viewerKey,
      );
      const updated = await call(
        client,
        'updateXdsResource',
        {
          configId: config.id,
          type: CLUSTER,
          name: 'billing',
          resource: edsCluster('billing', '7s'),
          etag: 'W/"2"',
          message: '',
        },
        api.adminKey,
      );
      const deleted = await call(
        client,
        'deleteXdsResource',
        { configId: config.id, type: CLUSTER, name: 'billing', etag: '', message: 'gone' },
        api.adminKey,
      );

      expect(created).toMatchObject({
        resource: { configId: config.id, type: CLUSTER, name: 'billing', configVersion: 2, etag: 'W/"2"' },
        change: { fromVersion: 1, toVersion: 2 },
      });
      expect(read.resource?.resource).toMatchObject({ name: 'billing', connect_timeout: '2s' });
      expect(listed.resources.map((resource) => resource.name)).toEqual(['api']);
      expect(listed.nextPageToken).not.toBe('');
      expect(updated.resource?.resource).toMatchObject({ connect_timeout: '7s' });
      expect(deleted).toEqual({ change: { fromVersion: 3, toVersion: 4 }, etag: 'W/"4"' });
      const versions = await api.sql<{ number: number; message: string }>(
        'SELECT number, message FROM config_versions WHERE config_id = $1 ORDER BY number',
        [config.id],
      );
      expect(versions.map((version) => version.message)).toEqual(['', 'billing over gRPC', '', 'gone']);
    });

    it('reports invalid resources at their request field, stale ETags, and masks secrets', async () => {
      const invalid = await failure(
        call(
          client,
          'createXdsResource',
          { configId: config.id, type: CLUSTER, resource: edsCluster('slow', 'soon'), message: '' },
          api.adminKey,
        ),
      );
      const dangling = await failure(
        call(
          client,
          'updateXdsResource',
          {
            configId: config.id,
            type: XdsResourceType.XDS_RESOURCE_TYPE_ROUTE_CONFIG,
            name: 'edge_routes',
            resource: routeConfiguration('edge_routes', 'nowhere'),
            etag: '',
            message: '',
          },
          api.adminKey,
        ),
      );
      const stale = await failure(
        call(
          client,
          'deleteXdsResource',
          { configId: config.id, type: CLUSTER, name: 'api', etag: 'W/"1"', message: '' },
          api.adminKey,
        ),
      );
      const noType = await failure(
        call(client, 'getXdsResource', { configId: config.id, type: 0, name: 'api' }, viewerKey),
      );
      const otherTenant = await failure(
        call(client, 'getXdsResource', { configId: config.id, type: CLUSTER, name: 'api' }, otherTenantKey),
      );
      const secret = await call(
        client,
        'createXdsResource',
        {
          configId: config.id,
          type: XdsResourceType.XDS_RESOURCE_TYPE_SECRET,
          resource: tlsSecret('ops_cert'),
          message: '',
        },
        api.adminKey,
      );

      expect(invalid).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, fields: ['resource.connect_timeout'] });
      expect(dangling.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(dangling.fields).toContain('resource.virtual_hosts[0].routes[0].route.cluster');
      expect(stale.code).toBe(GrpcStatus.ABORTED);
      expect(noType).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, fields: ['type'] });
      expect(otherTenant.code).toBe(GrpcStatus.NOT_FOUND);
      expect(secret.resource?.resource).toEqual({
        name: 'ops_cert',
        '@masked': expect.stringMatching(/^sha256:/) as unknown,
      });
      expect(JSON.stringify(secret)).not.toContain('PRIVATE KEY');
    });
  });

  describe('restarting a proxy', () => {
    let commands: AgentCommand[];
    let subscription: Subscription;

    beforeAll(async () => {
      commands = [];
      subscription = await bus.consumeCommands(vmId, (command) => {
        commands.push(command);
        return Promise.resolve();
      });
    });

    afterAll(async () => {
      await subscription?.stop();
    });

    const restarts = async (count: number): Promise<AgentCommand[]> => {
      for (let attempt = 0; attempt < 100 && commands.length < count; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return commands;
    };

    it("queues the node-agent restart command on the proxy's VM over REST and gRPC; a dry run queues nothing", async () => {
      const dryRun = await api.admin.post<RestartRequestView>('/api/v1/proxies/ops-1/restart?dryRun=true');
      const rest = await api.admin.post<RestartRequestView>('/api/v1/proxies/ops-1/restart', {
        graceSeconds: 5,
      });
      const grpc = await call(client, 'restartProxy', { id: 'ops-1' }, api.adminKey);

      expect(dryRun.status).toBe(200);
      expect(rest.status).toBe(202);
      expect(rest.body).toMatchObject({ nodeId: 'ops-1', vmId, graceSeconds: 5 });
      expect(grpc.proxy).toMatchObject({ nodeId: 'ops-1' });
      const received = await restarts(2);
      expect(received.map((command) => [command.kind, command.payload])).toEqual([
        ['restart', { proxyId: rest.body.proxyId, graceSeconds: 5 }],
        ['restart', { proxyId: rest.body.proxyId, graceSeconds: 30 }],
      ]);
      expect(received[0]?.id).toBe(rest.body.commandId);
      expect(received.map((command) => command.id)).not.toContain(dryRun.body.commandId);
    });

    it('refuses a proxy without a container, an unknown one, a viewer and another tenant', async () => {
      expect((await api.admin.post('/api/v1/proxies/ops-unplaced/restart')).status).toBe(409);
      expect((await api.admin.post('/api/v1/proxies/ops-1/restart', { graceSeconds: -1 })).status).toBe(400);
      expect((await failure(call(client, 'restartProxy', { id: 'ops-unplaced' }, api.adminKey))).code).toBe(
        GrpcStatus.FAILED_PRECONDITION,
      );
      expect((await failure(call(client, 'restartProxy', { id: 'ops-missing' }, api.adminKey))).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
      expect((await failure(call(client, 'restartProxy', { id: 'ops-1' }, viewerKey))).code).toBe(
        GrpcStatus.PERMISSION_DENIED,
      );
      expect((await failure(call(client, 'restartProxy', { id: 'ops-1' }, otherTenantKey))).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
    });
  });

  describe('replaying a webhook delivery', () => {
    let subscription: CreatedWebhookView;
    let deliveryId: string;
    const eventId = randomUUID();

    beforeAll(async () => {
      subscription = (
        await api.admin.post<CreatedWebhookView>('/api/v1/webhooks', {
          name: 'ops-hook',
          url: 'http://127.0.0.1:9/hook',
          eventTypes: ['config.updated'],
        })
      ).body;
      deliveryId = randomUUID();
      const [row] = await api.sql<{ tenant_id: string }>(
        'SELECT tenant_id FROM webhook_subscriptions WHERE id = $1',
        [subscription.id],
      );
      await api.sql(
        `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_id, event_type, attempt, status, payload, error)
         VALUES ($1, $2, $3, $4, 'config.updated', 3, 'dead_lettered', '{"type":"config.updated"}', 'connection refused')`,
        [deliveryId, row?.tenant_id, subscription.id, eventId],
      );
    });

    it('queues the event again as a new pending attempt over gRPC and REST, one at a time', async () => {
      const replayed = await call(
        client,
        'replayWebhookDelivery',
        { subscriptionId: subscription.id, deliveryId },
        api.adminKey,
      );
      const whilePending = await api.admin.post(
        `/api/v1/webhooks/${subscription.id}/deliveries/${deliveryId}/replay`,
      );

      expect(replayed.delivery).toMatchObject({
        subscriptionId: subscription.id,
        eventId,
        eventType: 'config.updated',
        status: WebhookDeliveryStatus.WEBHOOK_DELIVERY_STATUS_PENDING,
        attempts: 4,
        replayOfId: deliveryId,
      });
      expect(replayed.delivery?.nextAttemptTime).toBeDefined();
      expect(whilePending.status).toBe(409);

      await api.sql(
        `UPDATE webhook_deliveries SET status = 'succeeded', response_status = 204 WHERE id = $1`,
        [replayed.delivery?.id],
      );
      const again = await api.admin.post<WebhookDeliveryView>(
        `/api/v1/webhooks/${subscription.id}/deliveries/${deliveryId}/replay`,
      );
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ attempt: 5, status: 'pending', eventId, replayOfId: deliveryId });
      const stored = await api.sql<{ attempt: number; payload: unknown }>(
        'SELECT attempt, payload FROM webhook_deliveries WHERE event_id = $1 ORDER BY attempt',
        [eventId],
      );
      expect(stored).toEqual([3, 4, 5].map((attempt) => ({ attempt, payload: { type: 'config.updated' } })));
    });

    it('refuses an unknown delivery, a viewer and another tenant', async () => {
      const path = `/api/v1/webhooks/${subscription.id}/deliveries`;
      expect((await api.admin.post(`${path}/${randomUUID()}/replay`)).status).toBe(404);
      expect((await api.admin.post(`${path}/not-a-uuid/replay`)).status).toBe(400);
      expect((await api.anonymous.as(viewerKey).post(`${path}/${deliveryId}/replay`)).status).toBe(403);
      expect(
        (
          await failure(
            call(
              client,
              'replayWebhookDelivery',
              { subscriptionId: subscription.id, deliveryId },
              otherTenantKey,
            ),
          )
        ).code,
      ).toBe(GrpcStatus.NOT_FOUND);
      expect(
        (
          await failure(
            call(client, 'replayWebhookDelivery', { subscriptionId: 'x', deliveryId }, api.adminKey),
          )
        ).fields,
      ).toEqual(['subscription_id']);
    });
  });
});
