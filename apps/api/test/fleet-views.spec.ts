import type { Page } from '../src/http/list-query';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { FleetStatsView } from '../src/modules/fleet-stats/fleet-stats.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { ReloadRequestView } from '../src/modules/proxy-reload/proxy-reload.dto';
import type {
  ServiceDetailView,
  ServiceEndpointsDetailView,
  ServiceEndpointsView,
  ServiceView,
} from '../src/modules/service-discovery/service-discovery.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { edgeConfig, endpoints } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('services, endpoints, stats and reload', () => {
  let api: ApiUnderTest;
  let edge: ConfigChangeView;
  let group: ProxyGroupView;

  beforeAll(async () => {
    api = await startApi('fleet-views');
    edge = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('views-edge'))).body;
    const second = edgeConfig('views-second') as { spec: { clusters: unknown[]; endpoints: unknown[] } };
    second.spec.endpoints = [endpoints('api', 9090)];
    second.spec.clusters.push({
      name: 'db',
      type: 'STRICT_DNS',
      connect_timeout: '1s',
      lb_policy: 'LEAST_REQUEST',
      load_assignment: {
        cluster_name: 'db',
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: 'db.internal', port_value: 5432 } } } },
            ],
          },
        ],
      },
    });
    expect((await api.admin.post('/api/v1/configs', second)).status).toBe(201);
    group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'views' })).body;
    for (const [index, nodeId] of ['views-1', 'views-2'].entries()) {
      await api.admin.post('/api/v1/proxies', {
        nodeId,
        groupId: group.id,
        containerName: `envoy-${nodeId}`,
        proxyPort: 12000 + index,
        adminPort: 13000 + index,
        image: 'envoyproxy/envoy:v1.31.0',
        desiredState: index === 0 ? 'running' : 'stopped',
      });
    }
  });

  afterAll(async () => {
    await api.close();
  });

  it("lists each cluster of each config's newest version as a service, with filters and pages", async () => {
    const all = await api.admin.get<Page<ServiceView>>('/api/v1/services');
    const first = await api.admin.get<Page<ServiceView>>('/api/v1/services?limit=2');
    const rest = await api.admin.get<Page<ServiceView>>(
      `/api/v1/services?limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    const ofEdge = await api.admin.get<Page<ServiceView>>(`/api/v1/services?configId=${edge.id}`);

    expect(all.status).toBe(200);
    expect(all.body.items.map((service) => [service.name, service.configName])).toEqual(
      expect.arrayContaining([
        ['api', 'views-edge'],
        ['api', 'views-second'],
        ['db', 'views-second'],
      ]),
    );
    expect(all.body.items).toHaveLength(3);
    expect([...first.body.items, ...rest.body.items].map((service) => service.id).sort()).toEqual(
      all.body.items.map((service) => service.id).sort(),
    );
    expect(ofEdge.body.items).toEqual([
      expect.objectContaining({
        name: 'api',
        configId: edge.id,
        configVersion: 1,
        type: 'EDS',
        lbPolicy: 'ROUND_ROBIN',
        connectTimeout: '2s',
        endpointSource: 'eds',
        edsServiceName: 'api',
        endpointCount: 1,
      }),
    ]);
    expect((await api.admin.get('/api/v1/services?sort=type')).status).toBe(400);
  });

  it('shows one service across configs, and 404 for a name no config defines', async () => {
    const shared = await api.admin.get<ServiceDetailView>('/api/v1/services/api');
    const db = await api.admin.get<ServiceDetailView>('/api/v1/services/db');

    expect(shared.body.clusters.map((cluster) => cluster.configName).sort()).toEqual([
      'views-edge',
      'views-second',
    ]);
    expect(db.body.clusters).toEqual([
      expect.objectContaining({
        type: 'STRICT_DNS',
        lbPolicy: 'LEAST_REQUEST',
        endpointSource: 'inline',
        endpointCount: 1,
      }),
    ]);
    expect((await api.admin.get('/api/v1/services/nothing')).status).toBe(404);
  });

  it('resolves endpoints from EDS assignments and inline load assignments', async () => {
    const listed = await api.admin.get<Page<ServiceEndpointsView>>('/api/v1/endpoints?name=api');
    const db = await api.admin.get<ServiceEndpointsDetailView>('/api/v1/endpoints/db');

    expect(
      listed.body.items.map((item) => [item.configName, item.endpoints.map((each) => each.address)]).sort(),
    ).toEqual([
      ['views-edge', ['10.0.0.7:8080']],
      ['views-second', ['10.0.0.7:9090']],
    ]);
    expect(db.body).toEqual({
      service: 'db',
      clusters: [
        expect.objectContaining({
          endpointSource: 'inline',
          endpoints: [
            {
              address: 'db.internal:5432',
              healthStatus: 'UNKNOWN',
              weight: null,
              priority: 0,
              locality: null,
            },
          ],
        }),
      ],
    });
    expect((await api.admin.get('/api/v1/endpoints/nothing')).status).toBe(404);
  });

  it('follows config updates: the newest version is what is listed', async () => {
    const updated = edgeConfig('views-edge') as { spec: { endpoints: unknown[] } };
    updated.spec.endpoints = [endpoints('api', 7070)];
    await api.admin.put(`/api/v1/configs/${edge.id}`, updated, { headers: { 'if-match': 'W/"1"' } });

    const listed = await api.admin.get<Page<ServiceEndpointsView>>(`/api/v1/endpoints?configId=${edge.id}`);

    expect(listed.body.items).toEqual([
      expect.objectContaining({
        configVersion: 2,
        endpoints: [expect.objectContaining({ address: '10.0.0.7:7070' })],
      }),
    ]);
  });

  it("counts the tenant's fleet by status, zeros included, and nothing of another tenant", async () => {
    const stats = await api.admin.get<FleetStatsView>('/api/v1/stats');

    expect(stats.status).toBe(200);
    expect(stats.body.proxies).toMatchObject({
      total: 2,
      byStatus: { unknown: 2, running: 0, failed: 0 },
      byHealth: { unknown: 2, healthy: 0, unhealthy: 0 },
      byDesiredState: { running: 1, stopped: 1, removed: 0 },
    });
    expect(stats.body.proxies.xdsSync.cluster).toEqual({ SYNCED: 0, STALE: 0, NACKED: 0, NOT_SENT: 2 });
    expect(stats.body.nodes).toEqual({
      total: 0,
      byStatus: { ready: 0, not_ready: 0, draining: 0, unknown: 0 },
    });
    expect(stats.body.proxyGroups.total).toBeGreaterThanOrEqual(1);
    expect(stats.body.configs.total).toBe(2);
    expect(stats.body.configs.versions).toBeGreaterThanOrEqual(3);

    const other = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
        name: 'views-other',
        displayName: 'Other',
      })
    ).body;
    const theirs = await api.anonymous.as(other.adminApiKey.secret).get<FleetStatsView>('/api/v1/stats');
    expect(theirs.body.proxies.total).toBe(0);
    expect(theirs.body.configs).toEqual({ total: 0, versions: 0 });
    expect(
      (await api.anonymous.as(other.adminApiKey.secret).get<Page<ServiceView>>('/api/v1/services')).body
        .items,
    ).toEqual([]);
  });

  it('asks fleet-manager to reload a proxy through the outbox (202), 404 for an unknown one', async () => {
    const accepted = await api.admin.post<ReloadRequestView>('/api/v1/proxies/views-1/reload');
    const unknown = await api.admin.post('/api/v1/proxies/nobody/reload');
    const dry = await api.admin.post('/api/v1/proxies/views-1/reload?dryRun=true');

    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ nodeId: 'views-1' });
    const events = await api.sql<{ event_id: string; payload: unknown; subject: string }>(
      `SELECT event_id, payload, subject FROM outbox WHERE type = 'proxy.reload.requested'`,
    );
    expect(events).toEqual([
      {
        event_id: accepted.body.eventId,
        payload: { proxyId: accepted.body.proxyId, nodeId: 'views-1' },
        subject: 'events.proxy.reload.requested',
      },
    ]);
    expect(unknown.status).toBe(404);
    expect(dry.status).toBe(200);
    expect(dry.headers.get('dry-run')).toBe('true');
  });

  it('lets viewers read but not reload (403), and refuses anonymous callers (401)', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'views-viewer', role: 'viewer' })
    ).body;
    const asViewer = api.anonymous.as(viewer.secret);

    for (const path of ['/api/v1/services', '/api/v1/endpoints', '/api/v1/stats', '/api/v1/services/api']) {
      expect((await asViewer.get(path)).status).toBe(200);
      expect((await api.anonymous.get(path)).status).toBe(401);
    }
    expect((await asViewer.post('/api/v1/proxies/views-1/reload')).status).toBe(403);
  });
});
