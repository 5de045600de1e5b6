import type { Page } from '../src/http/list-query';
import type { ConfigApplyView } from '../src/modules/config-bindings/config-apply.dto';
import type { ConfigBindingView } from '../src/modules/config-bindings/config-binding.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyView } from '../src/modules/proxies/proxy.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import type { ApiClient } from './support/api-client';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const MISSING = '00000000-0000-4000-8000-000000000000';
const BINDINGS = '/api/v1/bindings';

describe('config bindings', () => {
  let api: ApiUnderTest;
  let group: ProxyGroupView;
  let proxy: ProxyView;
  let other: ProxyView;
  let config: ConfigChangeView;

  beforeAll(async () => {
    api = await startApi('config-bindings');
    group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'edge' })).body;
    const proxyOf = async (nodeId: string, port: number) =>
      (
        await api.admin.post<ProxyView>('/api/v1/proxies', {
          nodeId,
          groupId: group.id,
          containerName: nodeId,
          proxyPort: port,
          adminPort: port + 1,
          image: 'envoyproxy/envoy:v1.31',
          labels: { tier: 'edge' },
        })
      ).body;
    proxy = await proxyOf('edge-1', 10000);
    other = await proxyOf('edge-2', 10010);
    config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('edge'))).body;
  });

  afterAll(async () => {
    await api.close();
  });

  const create = (body: unknown, client: ApiClient = api.admin) =>
    client.post<ConfigBindingView>(BINDINGS, body);

  it('stores a binding of each direct mode with its outbox event, and reads it back with its ETag', async () => {
    const instance = await create({ mode: 'instance', proxyId: proxy.id, configId: config.id });
    const byGroup = await create({ mode: 'group', groupId: group.id, configId: config.id, priority: 5 });
    const bySelector = await create({
      mode: 'label_selector',
      selector: { matchLabels: { tier: 'edge' } },
      configId: config.id,
    });

    expect([instance.status, byGroup.status, bySelector.status]).toEqual([201, 201, 201]);
    expect(instance.body).toMatchObject({
      mode: 'instance',
      proxyId: proxy.id,
      configId: config.id,
      groupId: null,
      priority: 0,
      version: 1,
    });
    expect(bySelector.body.selector).toEqual({ matchLabels: { tier: 'edge' } });
    const read = await api.admin.get<ConfigBindingView>(`${BINDINGS}/${byGroup.body.id}`);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual(byGroup.body);
    const events = await api.sql<{ aggregate_id: string; payload: { change: string } }>(
      `SELECT aggregate_id, payload FROM outbox WHERE type = 'binding.changed'`,
    );
    expect(events.map((event) => event.aggregate_id).sort()).toEqual(
      [instance.body.id, byGroup.body.id, bySelector.body.id].sort(),
    );
    const audit = await api.sql<{ count: string }>(
      `SELECT count(*) FROM audit_log WHERE table_name = 'config_bindings' AND row_id = $1`,
      [instance.body.id],
    );
    expect(Number(audit[0]?.count)).toBe(1);
  });

  it('refuses references to rows that do not exist, an empty selector and a self-inheritance (422)', async () => {
    const missingRows = await create({ mode: 'instance', proxyId: MISSING, configId: MISSING });
    const missingTemplate = await create({ mode: 'template', templateId: MISSING, groupId: group.id });
    const emptySelector = await create({ mode: 'label_selector', selector: {}, configId: config.id });
    const selfInherit = await create({ mode: 'inherit', proxyId: proxy.id, parentProxyId: proxy.id });

    expect(missingRows.status).toBe(422);
    expect(missingRows.problem.errors).toEqual([
      { path: 'proxyId', message: 'refers to a proxy that does not exist' },
      { path: 'configId', message: 'refers to a config that does not exist' },
    ]);
    expect(missingTemplate.problem.errors).toEqual([
      { path: 'templateId', message: 'refers to a config template that does not exist' },
    ]);
    expect(emptySelector.problem.errors).toEqual([
      { path: 'selector', message: 'must select on at least one label' },
    ]);
    expect(selfInherit.problem.errors).toEqual([
      { path: 'parentProxyId', message: 'a proxy cannot inherit from itself' },
    ]);
  });

  it('refuses fields of another mode and a template aimed at two targets (400)', async () => {
    const mixed = await create({ mode: 'group', groupId: group.id, configId: config.id, proxyId: proxy.id });
    const twoTargets = await create({
      mode: 'template',
      templateId: MISSING,
      groupId: group.id,
      proxyId: proxy.id,
    });
    const noMode = await create({ configId: config.id });

    expect([mixed.status, twoTargets.status, noMode.status]).toEqual([400, 400, 400]);
    expect(twoTargets.problem.errors).toEqual([
      { path: '', message: 'a template binding names exactly one of proxyId, groupId and selector' },
    ]);
  });

  it('stores template and inheritance bindings whose rows exist', async () => {
    const [template] = await api.sql<{ id: string }>(
      `INSERT INTO config_templates (tenant_id, name, body) SELECT tenant_id, 'edge-template', '{}' FROM proxies WHERE id = $1 RETURNING id`,
      [proxy.id],
    );
    const templated = await create({
      mode: 'template',
      templateId: template?.id,
      selector: { matchLabels: { tier: 'edge' } },
      parameters: { upstream: 'api' },
    });
    const inherited = await create({
      mode: 'inherit',
      proxyId: other.id,
      parentProxyId: proxy.id,
      overrides: [{ resourceType: 'cluster', name: 'api', patch: { connect_timeout: '5s' } }],
    });

    expect(templated.status).toBe(201);
    expect(templated.body).toMatchObject({
      mode: 'template',
      parameters: { upstream: 'api' },
      configId: null,
    });
    expect(inherited.status).toBe(201);
    expect(inherited.body.overrides).toEqual([
      { resourceType: 'cluster', name: 'api', patch: { connect_timeout: '5s' } },
    ]);
  });

  it('updates with If-Match only (412 when stale), merge-patches across modes, and deletes', async () => {
    const binding = (await create({ mode: 'group', groupId: group.id, configId: config.id })).body;

    const stale = await api.admin.put(
      `${BINDINGS}/${binding.id}`,
      { mode: 'group', groupId: group.id, configId: config.id, priority: 9 },
      { headers: { 'if-match': 'W/"7"' } },
    );
    const patched = await api.admin.patch<ConfigBindingView>(
      `${BINDINGS}/${binding.id}`,
      { mode: 'instance', groupId: null, proxyId: proxy.id },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const deleted = await api.admin.delete(`${BINDINGS}/${binding.id}`, { headers: { 'if-match': 'W/"2"' } });

    expect(stale.status).toBe(412);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ mode: 'instance', proxyId: proxy.id, groupId: null, version: 2 });
    expect(deleted.status).toBe(204);
    expect((await api.admin.get(`${BINDINGS}/${binding.id}`)).status).toBe(404);
  });

  it('lists by filter with a cursor, stores nothing on a dry run, and replays an idempotent POST', async () => {
    const dryRun = await api.admin.post<ConfigBindingView>(`${BINDINGS}?dryRun=true`, {
      mode: 'instance',
      proxyId: other.id,
      configId: config.id,
    });
    const body = { mode: 'instance', proxyId: other.id, configId: config.id, priority: 3 };
    const first = await api.admin.post<ConfigBindingView>(BINDINGS, body, {
      headers: { 'idempotency-key': 'bind-other' },
    });
    const retried = await api.admin.post<ConfigBindingView>(BINDINGS, body, {
      headers: { 'idempotency-key': 'bind-other' },
    });
    const firstPage = await api.admin.get<Page<ConfigBindingView>>(`${BINDINGS}?mode=instance&limit=1`);
    const secondPage = await api.admin.get<Page<ConfigBindingView>>(
      `${BINDINGS}?mode=instance&limit=1&cursor=${firstPage.body.nextCursor}`,
    );

    expect(dryRun.status).toBe(200);
    expect(dryRun.headers.get('dry-run')).toBe('true');
    expect((await api.admin.get(`${BINDINGS}/${dryRun.body.id}`)).status).toBe(404);
    expect(retried.body.id).toBe(first.body.id);
    expect(firstPage.body.items).toHaveLength(1);
    expect(secondPage.body.items).toHaveLength(1);
    expect(secondPage.body.items[0]?.id).not.toBe(firstPage.body.items[0]?.id);
    expect(
      [...firstPage.body.items, ...secondPage.body.items].every((binding) => binding.mode === 'instance'),
    ).toBe(true);
  });

  it("keeps tenants apart: another tenant's rows read as missing, and anonymous callers get 401", async () => {
    const tenant = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'bindings-b', displayName: 'B' })
    ).body;
    const adminB = api.anonymous.as(tenant.adminApiKey.secret);

    const crossTenant = await create({ mode: 'instance', proxyId: proxy.id, configId: config.id }, adminB);
    const listedByB = await adminB.get<Page<ConfigBindingView>>(BINDINGS);

    expect(crossTenant.status).toBe(422);
    expect(listedByB.body.items).toEqual([]);
    expect((await api.anonymous.get(BINDINGS)).status).toBe(401);
  });

  it('applies a config to a group by re-pointing its binding, and refuses a version that is not the newest', async () => {
    const second = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('edge-2'))).body;
    const before = await api.admin.get<Page<ConfigBindingView>>(`${BINDINGS}?mode=group&groupId=${group.id}`);

    const applied = await api.admin.post<ConfigApplyView>(`/api/v1/configs/${second.id}/apply`, {
      groupId: group.id,
      version: 1,
    });
    const stale = await api.admin.post(`/api/v1/configs/${second.id}/apply`, {
      groupId: group.id,
      version: 2,
    });
    const twoTargets = await api.admin.post(`/api/v1/configs/${second.id}/apply`, {
      groupId: group.id,
      proxyIds: [proxy.id],
    });
    const toProxies = await api.admin.post<ConfigApplyView>(`/api/v1/configs/${second.id}/apply`, {
      proxyIds: [proxy.id, other.id],
    });

    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ configId: second.id, version: 1 });
    expect(applied.body.bindings.map((binding) => binding.id)).toEqual([before.body.items[0]?.id]);
    expect(applied.body.bindings[0]).toMatchObject({ configId: second.id, version: 2 });
    expect(stale.status).toBe(409);
    expect(twoTargets.status).toBe(400);
    expect(toProxies.body.bindings.map((binding) => binding.proxyId).sort()).toEqual(
      [proxy.id, other.id].sort(),
    );
    const applies = await api.sql<{ payload: { configId: string } }>(
      `SELECT payload FROM outbox WHERE type = 'config.applied'`,
    );
    expect(applies.map((event) => event.payload.configId)).toEqual([second.id, second.id]);
  });
});
