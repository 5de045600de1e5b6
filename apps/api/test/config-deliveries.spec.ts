import type { Page } from '../src/http/list-query';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type {
  ConfigDeliverySummaryView,
  ConfigDeliveryView,
} from '../src/modules/config-deliveries/config-delivery.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { ProxyView } from '../src/modules/proxies/proxy.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const CORS_MESSAGE =
  "Error adding/updating listener(s) http: Didn't find a registered implementation for 'envoy.filters.http.cors'";

/**
 * A config version's deliveries, as fleet-manager records them in `config_history` from xds-server's
 * reports (written here directly, the way the recorder writes them): who got the version, who ACKed
 * it, who NACKed it and which of its resources Envoy's message names.
 */
describe('config version deliveries', () => {
  let api: ApiUnderTest;
  let config: ConfigChangeView;
  const base = () => `/api/v1/configs/${config.id}/versions/1/deliveries`;

  beforeAll(async () => {
    api = await startApi('config-deliveries');
    config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('deliveries-edge'))).body;
    const group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'deliveries' })).body;
    const proxies: ProxyView[] = [];
    for (const [index, nodeId] of ['deliveries-1', 'deliveries-2', 'deliveries-3'].entries()) {
      const proxy = await api.admin.post<ProxyView>('/api/v1/proxies', {
        nodeId,
        groupId: group.id,
        containerName: `envoy-${nodeId}`,
        proxyPort: 14000 + index,
        adminPort: 15000 + index,
        image: 'envoyproxy/envoy:v1.40.2',
      });
      proxies.push(proxy.body);
    }
    const record = (proxy: ProxyView, type: string, status: string, message: string | null, at: string) =>
      api.sql(
        `INSERT INTO config_history
           (tenant_id, proxy_id, config_version_id, resource_type, xds_version, status, error_detail,
            sent_at, responded_at)
         SELECT tenant_id, $1, (SELECT id FROM config_versions WHERE config_id = $2 AND number = 1), $3, 'v-' || $3, $4, $5::jsonb, $6::timestamptz, $6::timestamptz + interval '1 second'
           FROM proxies WHERE id = $1`,
        [
          proxy.id,
          config.id,
          type,
          status,
          message === null ? null : JSON.stringify({ code: 2, message }),
          at,
        ],
      );
    const [first, second, third] = proxies as [ProxyView, ProxyView, ProxyView];
    await record(first, 'cluster', 'acked', null, '2026-11-25T10:00:00Z');
    await record(first, 'listener', 'nacked', CORS_MESSAGE, '2026-11-25T10:00:01Z');
    await record(second, 'listener', 'nacked', CORS_MESSAGE, '2026-11-25T10:00:02Z');
    await record(third, 'listener', 'transient', CORS_MESSAGE, '2026-11-25T10:00:03Z');
  });

  afterAll(async () => {
    await api.close();
  });

  it('lists the deliveries newest first, filtered by state, with the resources a NACK names', async () => {
    const all = await api.admin.get<Page<ConfigDeliveryView>>(base());
    const nacked = await api.admin.get<Page<ConfigDeliveryView>>(`${base()}?status=nacked&sort=sentAt`);

    expect(all.status).toBe(200);
    expect(all.body.items.map((item) => [item.nodeId, item.resourceType, item.status])).toEqual([
      ['deliveries-3', 'listener', 'transient'],
      ['deliveries-2', 'listener', 'nacked'],
      ['deliveries-1', 'listener', 'nacked'],
      ['deliveries-1', 'cluster', 'acked'],
    ]);
    expect(all.body.items[3]).toMatchObject({ errorMessage: null, rejectedResources: [] });
    expect(nacked.body.items).toEqual([
      expect.objectContaining({
        nodeId: 'deliveries-1',
        errorMessage: CORS_MESSAGE,
        rejectedResources: ['http'],
        sentAt: '2026-11-25T10:00:01.000Z',
        respondedAt: '2026-11-25T10:00:02.000Z',
      }),
      expect.objectContaining({ nodeId: 'deliveries-2', rejectedResources: ['http'] }),
    ]);
  });

  it('pages with a cursor', async () => {
    const first = await api.admin.get<Page<ConfigDeliveryView>>(`${base()}?limit=3`);
    const rest = await api.admin.get<Page<ConfigDeliveryView>>(
      `${base()}?limit=3&cursor=${first.body.nextCursor ?? ''}`,
    );

    expect(first.body.items).toHaveLength(3);
    expect(rest.body.items.map((item) => item.resourceType)).toEqual(['cluster']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('sums up the version: counts per type and state, lasting NACKs by message with the resources named', async () => {
    const summary = await api.admin.get<ConfigDeliverySummaryView>(`${base()}/summary`);

    expect(summary.status).toBe(200);
    expect(summary.body.byType.listener).toEqual({
      sent: 0,
      acked: 0,
      nacked: 2,
      transient: 1,
      rolled_back: 0,
    });
    expect(summary.body.byType.cluster.acked).toBe(1);
    expect(summary.body.rejections).toEqual([
      {
        resourceType: 'listener',
        resources: ['http'],
        errorMessage: CORS_MESSAGE,
        proxies: 2,
        nodeIds: ['deliveries-1', 'deliveries-2'],
        lastAt: '2026-11-25T10:00:03.000Z',
      },
    ]);
  });

  it('is readable by a viewer, answers 404 for a version or config that does not exist and 400 for a bad one', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'deliveries-viewer',
        role: 'viewer',
      })
    ).body;

    expect((await api.anonymous.as(viewer.secret).get(`${base()}/summary`)).status).toBe(200);
    expect((await api.admin.get(`/api/v1/configs/${config.id}/versions/9/deliveries`)).status).toBe(404);
    expect(
      (
        await api.admin.get(
          '/api/v1/configs/00000000-0000-4000-8000-000000000000/versions/1/deliveries/summary',
        )
      ).status,
    ).toBe(404);
    const invalid = await api.admin.get(`/api/v1/configs/${config.id}/versions/0/deliveries`);
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.admin.get(`${base()}?sort=nodeId`)).status).toBe(400);
    expect((await api.anonymous.get(base())).status).toBe(401);
  });

  it("hides another tenant's deliveries", async () => {
    const other = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
        name: 'deliveries-other',
        displayName: 'Other',
      })
    ).body;

    expect((await api.anonymous.as(other.adminApiKey.secret).get(`${base()}/summary`)).status).toBe(404);
  });
});
