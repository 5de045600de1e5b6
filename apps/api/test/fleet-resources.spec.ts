import type { Page } from '../src/http/list-query';
import type { NodeView } from '../src/modules/nodes/node.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyView, ServedConfigView } from '../src/modules/proxies/proxy.dto';
import type { ProxyDeliveryStatusView } from '../src/modules/proxies/proxy-status.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('proxy groups and proxies', () => {
  let api: ApiUnderTest;
  let vm: NodeView;

  beforeAll(async () => {
    api = await startApi('fleet-resources');
    vm = (
      await api.admin.post<NodeView>('/api/v1/nodes', {
        hostname: 'vm-1',
        capacity: { cpuMillicores: 8000, memoryMib: 16384 },
        proxyPortRange: { start: 10000, end: 10099 },
        adminPortRange: { start: 20000, end: 20099 },
      })
    ).body;
  });

  afterAll(async () => {
    await api.close();
  });

  const group = (name: string, parentId: string | null = null) =>
    api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name, parentId });

  it('nests groups and refuses a parent that would make a cycle (422)', async () => {
    const root = (await group('edge')).body;
    const child = (await group('edge.eu', root.id)).body;
    const grandchild = (await group('edge.eu.1', child.id)).body;

    const cycle = await api.admin.patch(
      `/api/v1/proxy-groups/${root.id}`,
      { parentId: grandchild.id },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const self = await api.admin.patch(
      `/api/v1/proxy-groups/${root.id}`,
      { parentId: root.id },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const missingParent = await group('orphan', '00000000-0000-4000-8000-000000000000');

    expect(cycle.status).toBe(422);
    expect(cycle.problem.errors).toEqual([
      { path: 'parentId', message: 'would make the group its own ancestor' },
    ]);
    expect(self.status).toBe(422);
    expect(missingParent.status).toBe(422);
    const children = await api.admin.get<Page<ProxyGroupView>>(`/api/v1/proxy-groups?parentId=${root.id}`);
    expect(children.body.items.map((each) => each.name)).toEqual(['edge.eu']);
    const inUse = await api.admin.delete(`/api/v1/proxy-groups/${child.id}`, {
      headers: { 'if-match': 'W/"1"' },
    });
    expect(inUse.status).toBe(409);
    expect(inUse.problem.code).toBe('CONFLICT');
  });

  it('scales a group: sets desiredReplicas and writes group.scaled to the outbox in the same transaction', async () => {
    const edge = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'scaled' })).body;

    const scaled = await api.admin.post<ProxyGroupView>(`/api/v1/proxy-groups/${edge.id}/scale`, {
      replicas: 3,
    });
    const negative = await api.admin.post(`/api/v1/proxy-groups/${edge.id}/scale`, { replicas: -1 });
    const unknown = await api.admin.post('/api/v1/proxy-groups/00000000-0000-4000-8000-000000000000/scale', {
      replicas: 1,
    });
    const overQuota = await api.admin.post(`/api/v1/proxy-groups/${edge.id}/scale`, { replicas: 10_000 });

    expect(scaled.status).toBe(200);
    expect(scaled.body).toMatchObject({ desiredReplicas: 3, rescheduleOnNodeLoss: false, version: 2 });
    expect(negative.status).toBe(400);
    expect(negative.problem.errors).toEqual([
      expect.objectContaining({ path: 'replicas', message: expect.stringContaining('>=0') }),
    ]);
    expect(unknown.status).toBe(404);
    expect(overQuota.status).toBe(403);
    expect(overQuota.problem).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { quota: 'maxProxies' } });
    const rolled = await api.admin.patch<ProxyGroupView>(
      `/api/v1/proxy-groups/${edge.id}`,
      { image: 'envoyproxy/envoy:v1.37.0', maxSurge: 2 },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const noSurge = await api.admin.patch(
      `/api/v1/proxy-groups/${edge.id}`,
      { maxSurge: 0 },
      { headers: { 'if-match': 'W/"3"' } },
    );
    expect(rolled.body).toMatchObject({ image: 'envoyproxy/envoy:v1.37.0', maxSurge: 2, desiredReplicas: 3 });
    expect(noSurge.status).toBe(400);
    expect(
      await api.sql(`SELECT type, payload FROM outbox WHERE aggregate_id = $1 AND type = 'group.scaled'`, [
        edge.id,
      ]),
    ).toEqual([{ type: 'group.scaled', payload: { groupId: edge.id, name: 'scaled', desiredReplicas: 3 } }]);
  });

  it('creates, reads, updates and deletes proxies addressed by their Envoy node id', async () => {
    const edge = (await group('proxies')).body;
    const body = {
      nodeId: 'edge-proxy-001',
      groupId: edge.id,
      vmId: vm.id,
      containerName: 'envoy-proxy-proxies-001',
      proxyPort: 10001,
      adminPort: 20001,
      image: 'envoyproxy/envoy:v1.31.0',
      labels: { zone: 'a' },
    };

    const created = await api.admin.post<ProxyView>('/api/v1/proxies', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      nodeId: 'edge-proxy-001',
      status: 'unknown',
      health: 'unknown',
      xdsStatus: { listener: 'NOT_SENT' },
    });

    const status = await api.admin.get<ProxyDeliveryStatusView>('/api/v1/proxies/edge-proxy-001/status');
    expect(status.body).toEqual({
      nodeId: 'edge-proxy-001',
      desiredState: 'running',
      status: 'unknown',
      health: 'unknown',
      healthReasons: [],
      ready: null,
      xdsStatus: {
        listener: 'NOT_SENT',
        route_config: 'NOT_SENT',
        cluster: 'NOT_SENT',
        endpoint: 'NOT_SENT',
        secret: 'NOT_SENT',
      },
      lastSeenAt: null,
      connected: false,
      xdsReplica: null,
      connectionChangedAt: null,
      configRejection: null,
      drift: null,
      resources: Object.fromEntries(
        ['listener', 'route_config', 'cluster', 'endpoint', 'secret'].map((type) => [
          type,
          { status: 'NOT_SENT', acked: null, nack: null },
        ]),
      ),
    });

    const clash = await api.admin.post('/api/v1/proxies', {
      ...body,
      nodeId: 'edge-proxy-002',
      containerName: 'envoy-proxy-proxies-002',
      adminPort: 20002,
    });
    expect(clash.status).toBe(409);
    const outOfRange = await api.admin.post('/api/v1/proxies', {
      ...body,
      nodeId: 'edge-proxy-003',
      containerName: 'c3',
      proxyPort: 30000,
      adminPort: 20003,
    });
    expect(outOfRange.status).toBe(422);
    expect(outOfRange.problem.errors).toEqual([
      { path: 'proxyPort', message: "must be in the node's proxy port range 10000-10099" },
    ]);

    const { nodeId: _nodeId, ...writable } = body;
    const stopped = await api.admin.put<ProxyView>(
      '/api/v1/proxies/edge-proxy-001',
      { ...writable, desiredState: 'stopped' },
      { headers: { 'if-match': 'W/"1"' } },
    );
    expect(stopped.body).toMatchObject({ desiredState: 'stopped', version: 2 });
    const listed = await api.admin.get<Page<ProxyView>>(
      `/api/v1/proxies?groupId=${edge.id}&labels=zone%3Da&sort=-proxyPort`,
    );
    expect(listed.body.items.map((proxy) => proxy.nodeId)).toEqual(['edge-proxy-001']);

    const events = await api.sql<{ payload: { change: string } }>(
      `SELECT payload FROM outbox WHERE type = 'proxy.changed' ORDER BY id`,
    );
    expect(
      (await api.admin.delete('/api/v1/proxies/edge-proxy-001', { headers: { 'if-match': 'W/"2"' } })).status,
    ).toBe(204);
    expect((await api.admin.get('/api/v1/proxies/edge-proxy-001')).status).toBe(404);
    expect(events.map((event) => event.payload.change)).toEqual(['created', 'updated']);
    expect((await api.admin.get('/api/v1/proxies/bad%20id')).status).toBe(400);
  });

  it("reads the config a proxy's bindings select: its own over its group's over a parent group's", async () => {
    const parent = (await group('served')).body;
    const child = (await group('served.eu', parent.id)).body;
    const proxy = await api.admin.post<ProxyView>('/api/v1/proxies', {
      nodeId: 'served-proxy-001',
      groupId: child.id,
      containerName: 'envoy-proxy-served-001',
      proxyPort: 10050,
      adminPort: 20050,
      image: 'envoyproxy/envoy:v1.31.0',
    });
    const forParent = await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('served-parent'));
    const forProxy = await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('served-own'));
    const tenantId = (
      await api.sql<{ tenant_id: string }>('SELECT tenant_id FROM proxies WHERE id = $1', [proxy.body.id])
    )[0]?.tenant_id;

    expect((await api.admin.get('/api/v1/proxies/served-proxy-001/config')).status).toBe(404);
    const drift = [{ resourceType: 'route_config', ackedVersion: 'r1', expectedVersion: 'r2' }];
    await api.sql(
      `UPDATE proxies SET drift = $1, drift_observed_at = '2026-01-02T03:04:05Z', drifted_at = '2026-01-02T03:05:06Z'
       WHERE node_id = 'served-proxy-001'`,
      [JSON.stringify(drift)],
    );
    const drifted = await api.admin.get<ProxyDeliveryStatusView>('/api/v1/proxies/served-proxy-001/status');
    expect(drifted.body.drift).toEqual({
      since: '2026-01-02T03:04:05.000Z',
      at: '2026-01-02T03:05:06.000Z',
      resources: drift,
    });
    await api.sql(
      `INSERT INTO config_bindings (tenant_id, mode, group_id, config_id) VALUES ($1, 'group', $2, $3)`,
      [tenantId, parent.id, forParent.body.id],
    );
    const fromParent = await api.admin.get<ServedConfigView>('/api/v1/proxies/served-proxy-001/config');
    await api.sql(
      `INSERT INTO config_bindings (tenant_id, mode, proxy_id, config_id) VALUES ($1, 'instance', $2, $3)`,
      [tenantId, proxy.body.id, forProxy.body.id],
    );
    const own = await api.admin.get<ServedConfigView>('/api/v1/proxies/served-proxy-001/config');

    expect(fromParent.body).toMatchObject({
      binding: { mode: 'group' },
      config: { name: 'served-parent' },
      version: { number: 1 },
    });
    expect(own.body).toMatchObject({
      nodeId: 'served-proxy-001',
      binding: { mode: 'instance' },
      config: { id: forProxy.body.id, name: 'served-own' },
      version: { number: 1, contentHash: forProxy.body.contentHash },
    });
    expect(own.body.document.spec.clusters).toEqual([expect.objectContaining({ name: 'api' })]);

    // A bound config whose newest version is gone is a missing resource (404), not a server error.
    await api.sql('DELETE FROM config_versions WHERE config_id = $1', [forProxy.body.id]);
    const versionless = await api.admin.get('/api/v1/proxies/served-proxy-001/config');
    expect(versionless.status).toBe(404);
    expect(versionless.problem.code).toBe('NOT_FOUND');
    const applied = await api.admin.post(`/api/v1/configs/${forProxy.body.id}/apply`, {
      proxyIds: [proxy.body.id],
    });
    expect(applied.status).toBe(404);
  });

  describe('ETags follow what operators own, not what fleet-manager observes', () => {
    it("keeps a proxy's ETag through ACKs and status changes, and still refuses a concurrent change (412)", async () => {
      const edge = (await group('etag-edge')).body;
      await api.admin.post('/api/v1/proxies', {
        nodeId: 'etag-proxy-001',
        groupId: edge.id,
        vmId: vm.id,
        containerName: 'envoy-etag-001',
        proxyPort: 10090,
        adminPort: 20090,
        image: 'envoyproxy/envoy:v1.31.0',
      });
      const read = await api.admin.get<ProxyView>('/api/v1/proxies/etag-proxy-001');
      const etag = read.headers.get('etag') ?? '';

      // What fleet-manager writes between the operator's read and write: an ACK, a connection, health.
      await api.sql(
        `UPDATE proxies SET listener_sync_status = 'SYNCED', cluster_sync_status = 'NACKED',
           xds_connected = true, xds_replica = 'xds-a', xds_connection_changed_at = now(),
           status = 'running', health = 'healthy', container_id = 'c0ffee', last_seen_at = now()
         WHERE node_id = 'etag-proxy-001'`,
      );
      const observed = await api.admin.get<ProxyView>('/api/v1/proxies/etag-proxy-001');
      expect(observed.body).toMatchObject({ status: 'running', health: 'healthy' });
      expect(observed.headers.get('etag')).toBe(etag);

      const patched = await api.admin.patch<ProxyView>(
        '/api/v1/proxies/etag-proxy-001',
        { labels: { tier: 'edge' } },
        { headers: { 'if-match': etag } },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ labels: { tier: 'edge' }, status: 'running', version: 2 });

      const concurrent = await api.admin.patch(
        '/api/v1/proxies/etag-proxy-001',
        { image: 'envoyproxy/envoy:v1.32.0' },
        { headers: { 'if-match': etag } },
      );
      expect(concurrent.status).toBe(412);
    });

    it("keeps a node's ETag through heartbeats, and still refuses a concurrent change (412)", async () => {
      const created = await api.admin.post<NodeView>('/api/v1/nodes', {
        hostname: 'vm-etag',
        capacity: { cpuMillicores: 2000, memoryMib: 4096 },
      });
      const path = `/api/v1/nodes/${created.body.id}`;
      const etag = created.headers.get('etag') ?? '';

      await api.sql(
        `UPDATE nodes SET status = 'ready', last_heartbeat_at = now(), agent_version = '0.1.0',
           docker_version = '27.0.1' WHERE id = $1`,
        [created.body.id],
      );
      const beating = await api.admin.get<NodeView>(path);
      expect(beating.body).toMatchObject({ status: 'ready', agentVersion: '0.1.0' });
      expect(beating.headers.get('etag')).toBe(etag);

      const patched = await api.admin.patch<NodeView>(
        path,
        { labels: { rack: 'r1' } },
        { headers: { 'if-match': etag } },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ labels: { rack: 'r1' }, status: 'ready', version: 2 });
      const concurrent = await api.admin.patch(path, { region: 'eu' }, { headers: { 'if-match': etag } });
      expect(concurrent.status).toBe(412);
    });
  });
});
