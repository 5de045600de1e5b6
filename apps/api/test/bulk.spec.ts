import type { Page } from '../src/http/list-query';
import type { BulkResultView } from '../src/modules/bulk/bulk.dto';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyView } from '../src/modules/proxies/proxy.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('bulk operations', () => {
  let api: ApiUnderTest;
  let home: ProxyGroupView;

  beforeAll(async () => {
    api = await startApi('bulk');
    home = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'bulk-home' })).body;
  });

  afterAll(async () => {
    await api.close();
  });

  const bulk = (operations: unknown[], options: { headers?: Record<string, string>; query?: string } = {}) =>
    api.admin.post<BulkResultView>(`/api/v1/bulk${options.query ?? ''}`, { operations }, options);

  const proxyBody = (nodeId: string, port: number) => ({
    nodeId,
    groupId: home.id,
    containerName: `envoy-${nodeId}`,
    proxyPort: port,
    adminPort: port + 1000,
    image: 'envoyproxy/envoy:v1.31.0',
  });

  const count = async (table: string): Promise<number> =>
    Number((await api.sql<{ count: string }>(`SELECT count(*) AS count FROM ${table}`))[0]?.count);

  it('applies creates, updates, patches and deletes of three resources in one transaction, in order', async () => {
    const doomed = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'doomed' })).body;
    const config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('bulk-edge'))).body;

    const response = await bulk([
      { action: 'create', resource: 'proxy-groups', body: { name: 'bulk-a', labels: { tier: 'edge' } } },
      { action: 'create', resource: 'proxies', body: proxyBody('bulk-proxy-1', 11001) },
      {
        action: 'patch',
        resource: 'proxies',
        id: 'bulk-proxy-1',
        ifMatch: 1,
        body: { labels: { zone: 'b' } },
      },
      {
        action: 'update',
        resource: 'configs',
        id: config.id,
        ifMatch: 'W/"1"',
        body: edgeConfig('bulk-edge'),
        message: 'bulk',
      },
      { action: 'delete', resource: 'proxy-groups', id: doomed.id, ifMatch: 'W/"1"' },
    ]);

    expect(response.status).toBe(200);
    expect(
      response.body.results.map(({ index, action, resource, status }) => ({
        index,
        action,
        resource,
        status,
      })),
    ).toEqual([
      { index: 0, action: 'create', resource: 'proxy-groups', status: 201 },
      { index: 1, action: 'create', resource: 'proxies', status: 201 },
      { index: 2, action: 'patch', resource: 'proxies', status: 200 },
      { index: 3, action: 'update', resource: 'configs', status: 200 },
      { index: 4, action: 'delete', resource: 'proxy-groups', status: 204 },
    ]);
    expect(response.body.results[1]).toMatchObject({ id: 'bulk-proxy-1' });
    expect(response.body.results[2]?.item).toMatchObject({
      nodeId: 'bulk-proxy-1',
      labels: { zone: 'b' },
      version: 2,
    });
    expect(response.body.results[3]?.item).toMatchObject({ latestVersion: 2 });
    expect(response.body.results[4]?.item).toBeNull();
    expect((await api.admin.get<ProxyView>('/api/v1/proxies/bulk-proxy-1')).body.labels).toEqual({
      zone: 'b',
    });
    expect((await api.admin.get(`/api/v1/proxy-groups/${doomed.id}`)).status).toBe(404);
    const versions = await api.sql<{ message: string }>(
      'SELECT message FROM config_versions WHERE config_id = $1 ORDER BY number',
      [config.id],
    );
    expect(versions.map((version) => version.message)).toEqual(['', 'bulk']);
    const events = await api.sql<{ type: string }>(
      `SELECT type FROM outbox WHERE type IN ('group.changed', 'proxy.changed', 'config.updated') ORDER BY id`,
    );
    expect(events.map((event) => event.type).slice(-5)).toEqual([
      'group.changed',
      'proxy.changed',
      'proxy.changed',
      'config.updated',
      'group.changed',
    ]);
  });

  it('rolls everything back when one operation fails, and says which and why', async () => {
    const before = {
      groups: await count('proxy_groups'),
      proxies: await count('proxies'),
      outbox: await count('outbox'),
      audit: await count('audit_log'),
    };

    const response = await bulk([
      { action: 'create', resource: 'proxy-groups', body: { name: 'rolled-back' } },
      { action: 'create', resource: 'proxies', body: proxyBody('rolled-back-1', 11101) },
      {
        action: 'create',
        resource: 'proxies',
        body: { ...proxyBody('rolled-back-2', 11102), adminPort: 11102 },
      },
      { action: 'create', resource: 'proxy-groups', body: { name: 'Not A Name' } },
    ]);

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.problem).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { operations: 4, failed: 2, firstFailedIndex: 2, rolledBack: true },
    });
    expect(response.problem.detail).toMatch(
      /^the bulk request was rolled back: 2 of 4 operations failed; the first, operations\[2\]/,
    );
    expect(response.problem.errors).toEqual([
      {
        path: 'operations[2]',
        message: expect.stringMatching(/^create proxies failed with 422 VALIDATION_FAILED: /) as unknown,
      },
      { path: 'operations[2].body.adminPort', message: 'must differ from proxyPort' },
      {
        path: 'operations[3]',
        message: expect.stringMatching(/^create proxy-groups failed with 400 INVALID_REQUEST: /) as unknown,
      },
      { path: 'operations[3].body.name', message: expect.stringContaining('lowercase') as unknown },
    ]);
    expect({
      groups: await count('proxy_groups'),
      proxies: await count('proxies'),
      outbox: await count('outbox'),
      audit: await count('audit_log'),
    }).toEqual(before);
    expect((await api.admin.get('/api/v1/proxies/rolled-back-1')).status).toBe(404);
  });

  it('answers with the first failed operation’s status: 404, 409, 412, 428', async () => {
    const group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'bulk-status' }))
      .body;
    const create = { action: 'create', resource: 'proxy-groups', body: { name: 'never-stored' } };

    const missing = await bulk([
      create,
      { action: 'delete', resource: 'proxies', id: 'no-such-proxy', ifMatch: 1 },
    ]);
    const duplicate = await bulk([
      create,
      { action: 'create', resource: 'proxy-groups', body: { name: 'bulk-status' } },
    ]);
    const stale = await bulk([
      create,
      {
        action: 'update',
        resource: 'proxy-groups',
        id: group.id,
        ifMatch: 'W/"7"',
        body: { name: 'bulk-status' },
      },
    ]);
    const unconditional = await bulk([
      create,
      { action: 'patch', resource: 'proxy-groups', id: group.id, body: {} },
    ]);
    const badId = await bulk([{ action: 'delete', resource: 'configs', id: 'not-a-uuid', ifMatch: 1 }]);

    expect(missing.status).toBe(404);
    expect(missing.problem.errors?.[0]?.path).toBe('operations[1]');
    expect(duplicate.status).toBe(409);
    expect(stale.status).toBe(412);
    expect(unconditional.status).toBe(428);
    expect(badId.status).toBe(400);
    expect(badId.problem.errors?.[1]).toEqual({ path: 'operations[0].id', message: 'must be a UUID' });
    expect(
      (await api.admin.get<Page<ProxyGroupView>>('/api/v1/proxy-groups?name=never-stored')).body.items,
    ).toEqual([]);
  });

  it('refuses a malformed request before doing anything (400)', async () => {
    const empty = await bulk([]);
    const shape = await bulk([
      { action: 'create', resource: 'proxy-groups', id: 'x', body: { name: 'x' } },
      { action: 'delete', resource: 'proxies', body: {} },
      { action: 'create', resource: 'nodes', body: {} },
      { action: 'create', resource: 'proxies', body: {}, message: 'only configs' },
    ]);

    expect(empty.status).toBe(400);
    expect(shape.status).toBe(400);
    expect(shape.problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'operations[0].id' }),
        expect.objectContaining({ path: 'operations[1].id' }),
        expect.objectContaining({ path: 'operations[1].body' }),
        expect.objectContaining({ path: 'operations[2].resource' }),
        expect.objectContaining({ path: 'operations[3].message' }),
      ]),
    );
  });

  it('dry-runs everything and stores nothing; retries with an Idempotency-Key replay the first answer', async () => {
    const operations = [
      { action: 'create', resource: 'proxy-groups', body: { name: 'bulk-dry' } },
      { action: 'create', resource: 'configs', body: edgeConfig('bulk-dry') },
    ];
    const dry = await bulk(operations, { query: '?dryRun=true' });

    expect(dry.status).toBe(200);
    expect(dry.headers.get('dry-run')).toBe('true');
    expect(dry.body.results.map((result) => result.status)).toEqual([201, 201]);
    expect(
      (await api.admin.get<Page<ProxyGroupView>>('/api/v1/proxy-groups?name=bulk-dry')).body.items,
    ).toEqual([]);

    const headers = { 'idempotency-key': 'bulk-once' };
    const first = await bulk(operations, { headers });
    const retry = await bulk(operations, { headers });
    const reused = await bulk(operations.slice(0, 1), { headers });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(reused.status).toBe(422);
    expect(
      (await api.admin.get<Page<ProxyGroupView>>('/api/v1/proxy-groups?name=bulk-dry')).body.items,
    ).toHaveLength(1);
  });

  it('needs the operator role (403)', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'bulk-viewer', role: 'viewer' })
    ).body;

    const refused = await api.anonymous.as(viewer.secret).post('/api/v1/bulk', {
      operations: [{ action: 'create', resource: 'proxy-groups', body: { name: 'v' } }],
    });

    expect(refused.status).toBe(403);
  });
});
