import type { ConfigDiff } from '../src/modules/configs/config-diff';
import type { ConfigChangeView, ConfigVersionSummaryView } from '../src/modules/configs/config.dto';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import type { Page } from '../src/http/list-query';
import type {
  XdsResourceChangeView,
  XdsResourceRemovalView,
  XdsResourceView,
} from '../src/modules/xds-resources/xds-resource.dto';
import {
  edgeConfig,
  edsCluster,
  endpoints,
  httpListener,
  routeConfiguration,
  tlsSecret,
} from './fixtures/proxy-configs';
import { TEST_CERTIFICATE } from './fixtures/test-certificates';
import type { ApiClient } from './support/api-client';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('xDS resources as first-class resources of their config', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi('xds_resources');
  });

  afterAll(async () => {
    await api.close();
  });

  const createConfig = async (
    name: string,
    options: { withSecret?: boolean; labels?: Record<string, string> } = {},
  ) => {
    const document = edgeConfig(name, options);
    if (options.labels !== undefined)
      (document['metadata'] as Record<string, unknown>)['labels'] = options.labels;
    const created = await api.admin.post<ConfigChangeView>('/api/v1/configs', document);
    expect(created.status).toBe(201);
    return created.body;
  };

  it('creates a cluster as a new version of its config, with author, message, hash, outbox event and diff', async () => {
    const config = await createConfig('res-create');

    const created = await api.admin.post<XdsResourceChangeView>(
      '/api/v1/clusters',
      {
        configId: config.id,
        resource: {
          name: 'billing',
          type: 'EDS',
          connectTimeout: '1.5s',
          edsClusterConfig: { edsConfig: { ads: {} } },
        },
      },
      { headers: { 'change-message': 'billing backend' } },
    );

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"2"');
    expect(created.headers.get('location')).toBe(`/api/v1/clusters/${config.id}/billing`);
    expect(created.body).toMatchObject({
      configId: config.id,
      configName: 'res-create',
      name: 'billing',
      configVersion: 2,
      version: 2,
      resource: {
        name: 'billing',
        type: 'EDS',
        connect_timeout: '1.500s',
        eds_cluster_config: { eds_config: { ads: {} } },
      },
      change: {
        fromVersion: 1,
        toVersion: 2,
        patch: [
          {
            op: 'add',
            path: '/spec/clusters/1',
            value: expect.objectContaining({ name: 'billing' }) as unknown,
          },
        ],
      },
    });
    const versions = await api.admin.get<Page<ConfigVersionSummaryView>>(
      `/api/v1/configs/${config.id}/versions`,
    );
    expect(versions.body.items.map((version) => [version.number, version.message, version.author])).toEqual([
      [2, 'billing backend', expect.stringMatching(/^api_key:/)],
      [1, '', expect.stringMatching(/^api_key:/)],
    ]);
    expect(versions.body.items[0]?.contentHash).not.toBe(versions.body.items[1]?.contentHash);
    const diff = await api.admin.get<ConfigDiff>(`/api/v1/configs/${config.id}/diff?from=1&to=2`);
    expect(diff.body.unified).toContain('+    - name: billing');
    const outbox = await api.sql<{ type: string; payload: { version?: number } }>(
      `SELECT type, payload FROM outbox WHERE aggregate_id = $1 ORDER BY id`,
      [config.id],
    );
    expect(outbox.map((row) => [row.type, row.payload.version])).toEqual([
      ['config.created', undefined],
      ['config.version.created', 1],
      ['config.updated', undefined],
      ['config.version.created', 2],
    ]);
    const read = await api.admin.get<XdsResourceView>(`/api/v1/clusters/${config.id}/billing`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"2"');
    expect(read.body.resource).toEqual(created.body.resource);
  });

  it('serves every type at its own collection, cluster load assignments apart from the /endpoints view', async () => {
    const config = await createConfig('res-types', { withSecret: true });
    const read = async (path: string, name: string) =>
      (await api.admin.get<XdsResourceView>(`/api/v1/${path}/${config.id}/${name}`)).body;

    expect((await read('listeners', 'http')).resource).toMatchObject({ name: 'http' });
    expect((await read('route-configs', 'edge_routes')).resource).toMatchObject({ name: 'edge_routes' });
    expect((await read('clusters', 'api')).resource).toMatchObject({ name: 'api' });
    expect((await read('cluster-load-assignments', 'api')).resource).toMatchObject({ cluster_name: 'api' });
    expect((await read('secrets', 'edge_cert')).resource).toEqual({
      name: 'edge_cert',
      '@masked': expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
    });

    const orphan = await api.admin.post('/api/v1/cluster-load-assignments', {
      configId: config.id,
      resource: endpoints('spare', 9090),
    });
    expect(orphan.status).toBe(422);
    await api.admin.post('/api/v1/clusters', { configId: config.id, resource: edsCluster('spare') });
    const assignment = await api.admin.post<XdsResourceChangeView>('/api/v1/cluster-load-assignments', {
      configId: config.id,
      resource: endpoints('spare', 9090),
    });
    expect(assignment.status).toBe(201);
    expect(assignment.body.name).toBe('spare');
  });

  it('lists with cursor pagination, filters by name, config and config labels, and sorts', async () => {
    const prod = await createConfig('res-list-prod', { labels: { env: 'prod' } });
    const staging = await createConfig('res-list-staging', { labels: { env: 'staging' } });
    for (const name of ['b-cluster', 'a-cluster', 'c-cluster']) {
      const added = await api.admin.post('/api/v1/clusters', {
        configId: prod.id,
        resource: edsCluster(name),
      });
      expect(added.status).toBe(201);
    }

    const first = await api.admin.get<Page<XdsResourceView>>(`/api/v1/clusters?config=${prod.id}&limit=2`);
    const second = await api.admin.get<Page<XdsResourceView>>(
      `/api/v1/clusters?config=${prod.id}&limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    const descending = await api.admin.get<Page<XdsResourceView>>(
      `/api/v1/clusters?config=${prod.id}&sort=-name`,
    );
    const byLabels = await api.admin.get<Page<XdsResourceView>>('/api/v1/clusters?labels=env%3Dstaging');
    const byName = await api.admin.get<Page<XdsResourceView>>('/api/v1/clusters?name=a-cluster');

    expect(first.body.items.map((item) => item.name)).toEqual(['a-cluster', 'api']);
    expect(second.body.items.map((item) => item.name)).toEqual(['b-cluster', 'c-cluster']);
    expect(second.body.nextCursor).toBeNull();
    expect(descending.body.items.map((item) => item.name)).toEqual([
      'c-cluster',
      'b-cluster',
      'api',
      'a-cluster',
    ]);
    expect(byLabels.body.items.map((item) => [item.configId, item.name])).toEqual([[staging.id, 'api']]);
    expect(byLabels.body.items[0]?.configLabels).toEqual({ env: 'staging' });
    expect(byName.body.items.map((item) => item.configId)).toEqual([prod.id]);
    expect((await api.admin.get('/api/v1/clusters?sort=port')).status).toBe(400);
    expect((await api.admin.get('/api/v1/clusters?colour=red')).status).toBe(400);
  });

  it('replaces and merge-patches with If-Match on the config ETag, and answers 412 and 428 on a stale or missing one', async () => {
    const config = await createConfig('res-update');
    const path = `/api/v1/clusters/${config.id}/api`;

    const replaced = await api.admin.put<XdsResourceChangeView>(
      path,
      { resource: edsCluster('api', '4s') },
      {
        headers: { 'if-match': 'W/"1"' },
      },
    );
    const patched = await api.admin.patch<XdsResourceChangeView>(
      path,
      { resource: { connect_timeout: '6s', per_connection_buffer_limit_bytes: 65536 } },
      { headers: { 'if-match': 'W/"2"', 'change-message': 'bigger buffers' } },
    );
    const stale = await api.admin.put(
      path,
      { resource: edsCluster('api', '5s') },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const unconditional = await api.admin.put(path, { resource: edsCluster('api', '5s') });

    expect(replaced.status).toBe(200);
    expect(replaced.body.change.patch).toEqual([
      { op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '4s' },
    ]);
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"3"');
    expect(patched.body.resource).toMatchObject({
      connect_timeout: '6s',
      per_connection_buffer_limit_bytes: 65536,
      type: 'EDS',
    });
    expect(stale.status).toBe(412);
    expect(unconditional.status).toBe(428);
    const configNow = await api.admin.get<ConfigChangeView>(`/api/v1/configs/${config.id}`);
    expect(configNow.body.latestVersion).toBe(3);
  });

  it('refuses malformed bodies (400), unknown configs and names (404), duplicates (409) and invalid content (422) with the JSON path', async () => {
    const config = await createConfig('res-errors');
    const ifMatch = { headers: { 'if-match': 'W/"1"' } };

    const malformed = await api.admin.post('/api/v1/clusters', {
      configId: 'nope',
      resource: edsCluster('x'),
      extra: 1,
    });
    const noConfig = await api.admin.post('/api/v1/clusters', {
      configId: '00000000-0000-4000-8000-000000000000',
      resource: edsCluster('x'),
    });
    const noName = await api.admin.get(`/api/v1/clusters/${config.id}/ghost`);
    const badConfigId = await api.admin.get('/api/v1/clusters/not-a-uuid/api');
    const duplicate = await api.admin.post('/api/v1/clusters', {
      configId: config.id,
      resource: edsCluster('api'),
    });
    const schema = await api.admin.post('/api/v1/clusters', {
      configId: config.id,
      resource: { ...edsCluster('slow'), connect_timeout: 'soon', colour: 'red' },
    });
    const rename = await api.admin.put(
      `/api/v1/clusters/${config.id}/api`,
      { resource: edsCluster('other') },
      ifMatch,
    );
    const dangling = await api.admin.put(
      `/api/v1/route-configs/${config.id}/edge_routes`,
      { resource: routeConfiguration('edge_routes', 'nowhere') },
      ifMatch,
    );
    const stillReferenced = await api.admin.delete(`/api/v1/clusters/${config.id}/api`, ifMatch);
    const portClash = await api.admin.post('/api/v1/listeners', {
      configId: config.id,
      resource: httpListener('http-again', 8080, 'edge_routes'),
    });

    expect(malformed.status).toBe(400);
    expect(malformed.problem.errors?.map((issue) => issue.path).sort()).toEqual(['configId', 'extra']);
    expect(noConfig.status).toBe(404);
    expect(noName.status).toBe(404);
    expect(badConfigId.status).toBe(400);
    expect(duplicate.status).toBe(409);
    expect(schema.status).toBe(422);
    expect(schema.problem.errors?.map((issue) => issue.path)[0]).toMatch(/^resource\./);
    expect(rename.status).toBe(422);
    expect(rename.problem.errors).toEqual([
      { path: 'resource.name', message: expect.stringContaining('cannot change') as unknown },
    ]);
    expect(dangling.status).toBe(422);
    expect(dangling.problem.errors?.map((issue) => issue.path)).toEqual([
      'resource.virtual_hosts[0].routes[0].route.cluster',
      'resource.virtual_hosts[0].routes[1].route.cluster',
    ]);
    expect(stillReferenced.status).toBe(422);
    expect(stillReferenced.problem.errors?.map((issue) => issue.path)).toContain(
      'spec.routes[0].virtual_hosts[0].routes[0].route.cluster',
    );
    expect(portClash.status).toBe(422);
    const configNow = await api.admin.get<ConfigChangeView>(`/api/v1/configs/${config.id}`);
    expect(configNow.body.latestVersion).toBe(1);
  });

  it('deletes a resource as a new version, and dry runs store nothing', async () => {
    const config = await createConfig('res-delete');
    await api.admin.post('/api/v1/clusters', { configId: config.id, resource: edsCluster('spare') });

    const dryCreate = await api.admin.post<XdsResourceChangeView>('/api/v1/clusters?dryRun=true', {
      configId: config.id,
      resource: edsCluster('dry'),
    });
    const dryDelete = await api.admin.delete<XdsResourceRemovalView>(
      `/api/v1/clusters/${config.id}/spare?dryRun=true`,
      { headers: { 'if-match': 'W/"2"' } },
    );
    expect(dryCreate.status).toBe(200);
    expect(dryCreate.headers.get('dry-run')).toBe('true');
    expect(dryCreate.body.change.toVersion).toBe(3);
    expect(dryDelete.status).toBe(200);
    expect(dryDelete.body.change.patch).toEqual([{ op: 'remove', path: '/spec/clusters/1' }]);
    expect((await api.admin.get(`/api/v1/clusters/${config.id}/dry`)).status).toBe(404);
    expect((await api.sql('SELECT 1 FROM config_versions WHERE config_id = $1', [config.id])).length).toBe(2);

    const deleted = await api.admin.delete<XdsResourceRemovalView>(`/api/v1/clusters/${config.id}/spare`, {
      headers: { 'if-match': 'W/"2"' },
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ configId: config.id, configVersion: 3, version: 3 });
    expect((await api.admin.get(`/api/v1/clusters/${config.id}/spare`)).status).toBe(404);
    expect(
      (await api.admin.delete(`/api/v1/clusters/${config.id}/spare`, { headers: { 'if-match': 'W/"3"' } }))
        .status,
    ).toBe(404);
  });

  it('never returns key material, stores it encrypted, and keeps it through a merge patch', async () => {
    const config = await createConfig('res-secrets');

    const created = await api.admin.post<XdsResourceChangeView>('/api/v1/secrets', {
      configId: config.id,
      resource: tlsSecret('edge_cert'),
    });
    const patched = await api.admin.patch<XdsResourceChangeView>(
      `/api/v1/secrets/${config.id}/edge_cert`,
      { resource: { tls_certificate: { certificate_chain: { inline_string: TEST_CERTIFICATE } } } },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const listed = await api.admin.get<Page<XdsResourceView>>(`/api/v1/secrets?config=${config.id}`);

    expect(created.status).toBe(201);
    expect(patched.status).toBe(200);
    for (const text of [created.text, patched.text, listed.text]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('BEGIN CERTIFICATE');
    }
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        name: 'edge_cert',
        resource: { name: 'edge_cert', '@masked': expect.stringMatching(/^sha256:/) as unknown },
      }),
    ]);
    const stored = await api.sql<{ body: string }>(
      `SELECT body::text AS body FROM secrets WHERE config_id = $1`,
      [config.id],
    );
    expect(stored[0]?.body).toContain('$encrypted');
    expect(stored[0]?.body).not.toContain('PRIVATE KEY');
    // The patch left the private key in place: the secret still passes the certificate/key check.
    const validation = await api.admin.post<{ valid: boolean }>(`/api/v1/configs/${config.id}/validate`);
    expect(validation.body.valid).toBe(true);
  });

  it('makes a retried create safe with Idempotency-Key, addresses names with reserved characters, and audits the change', async () => {
    const config = await createConfig('res-retry');
    const body = { configId: config.id, resource: edsCluster('outbound|443||api/v2') };
    const headers = { headers: { 'idempotency-key': 'create-outbound-1' } };

    const first = await api.admin.post<XdsResourceChangeView>('/api/v1/clusters', body, headers);
    const retried = await api.admin.post<XdsResourceChangeView>('/api/v1/clusters', body, headers);
    const path = `/api/v1/clusters/${config.id}/${encodeURIComponent('outbound|443||api/v2')}`;
    const read = await api.admin.get<XdsResourceView>(path);
    const removed = await api.admin.delete(path, { headers: { 'if-match': 'W/"2"' } });

    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(path);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.body).toEqual(first.body);
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('outbound|443||api/v2');
    expect(removed.status).toBe(200);
    // One config update per write (the retry changed nothing), by the caller.
    const audit = await api.sql<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE table_name = 'configs' AND row_id = $1`,
      [config.id],
    );
    expect(audit.map((row) => row.action).sort()).toEqual(['insert', 'update', 'update']);
    expect(new Set(audit.map((row) => row.actor.replace(/:.*/, '')))).toEqual(new Set(['api_key']));
  });

  it('serialises concurrent creates in one config: each becomes its own version, none is lost', async () => {
    const config = await createConfig('res-concurrent');
    const names = ['c1', 'c2', 'c3', 'c4'];

    const created = await Promise.all(
      names.map((name) =>
        api.admin.post<XdsResourceChangeView>('/api/v1/clusters', {
          configId: config.id,
          resource: edsCluster(name),
        }),
      ),
    );

    expect(created.map((response) => response.status)).toEqual([201, 201, 201, 201]);
    expect(created.map((response) => response.body.configVersion).sort()).toEqual([2, 3, 4, 5]);
    const listed = await api.admin.get<Page<XdsResourceView>>(`/api/v1/clusters?config=${config.id}`);
    expect(listed.body.items.map((item) => item.name)).toEqual(['api', ...names]);
  });

  describe('roles and tenants', () => {
    let config: ConfigChangeView;
    let viewer: ApiClient;
    let otherTenant: ApiClient;

    beforeAll(async () => {
      config = await createConfig('res-access');
      const key = await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'res-viewer',
        role: 'viewer',
      });
      viewer = api.anonymous.as(key.body.secret);
      const tenant = await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
        name: 'res-tenant-b',
        displayName: 'B',
      });
      otherTenant = api.anonymous.as(tenant.body.adminApiKey.secret);
    });

    it('lets a viewer read but not write', async () => {
      expect((await viewer.get(`/api/v1/clusters/${config.id}/api`)).status).toBe(200);
      expect(
        (await viewer.post('/api/v1/clusters', { configId: config.id, resource: edsCluster('v') })).status,
      ).toBe(403);
      expect(
        (await viewer.delete(`/api/v1/clusters/${config.id}/api`, { headers: { 'if-match': 'W/"1"' } }))
          .status,
      ).toBe(403);
      expect((await api.anonymous.get('/api/v1/clusters')).status).toBe(401);
    });

    it("shows another tenant nothing of this tenant's resources, and lets it write none", async () => {
      const listed = await otherTenant.get<Page<XdsResourceView>>('/api/v1/clusters');
      const read = await otherTenant.get(`/api/v1/clusters/${config.id}/api`);
      const created = await otherTenant.post('/api/v1/clusters', {
        configId: config.id,
        resource: edsCluster('b'),
      });
      const patched = await otherTenant.patch(
        `/api/v1/clusters/${config.id}/api`,
        { resource: { connect_timeout: '9s' } },
        { headers: { 'if-match': 'W/"1"' } },
      );

      expect(listed.body.items).toEqual([]);
      expect(read.status).toBe(404);
      expect(created.status).toBe(404);
      expect(patched.status).toBe(404);
      const rows = await api.sql(`SELECT 1 FROM config_versions WHERE config_id = $1`, [config.id]);
      expect(rows).toHaveLength(1);
    });
  });
});
