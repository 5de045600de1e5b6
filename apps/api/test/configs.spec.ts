import { stringify } from 'yaml';
import type { ConfigDiff } from '../src/modules/configs/config-diff';
import type {
  ConfigChangeView,
  ConfigVersionSummaryView,
  ConfigVersionView,
  ConfigView,
  ValidationReportView,
} from '../src/modules/configs/config.dto';
import type { Page } from '../src/http/list-query';
import { edgeConfig, edsCluster, routeConfiguration } from './fixtures/proxy-configs';
import { TEST_CERTIFICATE_KEY } from './fixtures/test-certificates';
import { startApi, type ApiUnderTest } from './support/api-under-test';

describe('configs', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi('configs');
  });

  afterAll(async () => {
    await api.close();
  });

  const create = (name: string, options: { withSecret?: boolean } = {}) =>
    api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig(name, options), {
      headers: { 'change-message': 'first cut' },
    });

  it('creates a config with its first version, outbox events and audit rows in one transaction', async () => {
    const created = await create('edge-create');

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body).toMatchObject({
      name: 'edge-create',
      labels: { team: 'edge' },
      latestVersion: 1,
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const versions = await api.sql<{
      number: number;
      author: string;
      message: string;
      content_hash: string;
      created_at: Date;
    }>('SELECT number, author, message, content_hash, created_at FROM config_versions WHERE config_id = $1', [
      created.body.id,
    ]);
    expect(versions).toEqual([
      {
        number: 1,
        author: expect.stringMatching(/^api_key:/),
        message: 'first cut',
        content_hash: created.body.contentHash,
        created_at: expect.any(Date) as unknown,
      },
    ]);
    const outbox = await api.sql<{ type: string; created_at: Date }>(
      'SELECT type, created_at FROM outbox WHERE aggregate_id = $1 ORDER BY id',
      [created.body.id],
    );
    expect(outbox.map((row) => row.type)).toEqual(['config.created', 'config.version.created']);
    const audit = await api.sql<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM audit_log WHERE after ->> 'config_id' = $1::text OR row_id = $1::uuid`,
      [created.body.id],
    );
    expect(audit.map((row) => row.table_name).sort()).toEqual([
      'clusters',
      'config_versions',
      'configs',
      'endpoints',
      'listeners',
      'route_configs',
    ]);
    // Same transaction: now() is the transaction's start time, the default of both created_at columns.
    expect(
      new Set([...outbox.map((row) => row.created_at.getTime()), versions[0]?.created_at.getTime()]).size,
    ).toBe(1);
    const working = await api.sql<{ name: string }>('SELECT name FROM clusters WHERE config_id = $1', [
      created.body.id,
    ]);
    expect(working).toEqual([{ name: 'api' }]);
  });

  it('accepts YAML and stores canonical proto-JSON', async () => {
    const document = edgeConfig('edge-yaml');
    (document['spec'] as { clusters: unknown[] }).clusters = [
      { name: 'api', type: 'EDS', connectTimeout: '2.5s', edsClusterConfig: { edsConfig: { ads: {} } } },
    ];
    const created = await api.admin.request<ConfigChangeView>('POST', '/api/v1/configs', {
      rawBody: stringify(document),
      contentType: 'application/yaml',
    });

    expect(created.status).toBe(201);
    expect(created.body.document.spec.clusters).toEqual([
      {
        name: 'api',
        type: 'EDS',
        connect_timeout: '2.500s',
        eds_cluster_config: { eds_config: { ads: {} } },
      },
    ]);
  });

  it('reports every schema and semantic problem with its path (422)', async () => {
    const broken = edgeConfig('edge-broken');
    const spec = broken['spec'] as Record<string, unknown[]>;
    spec['clusters'] = [edsCluster('api'), edsCluster('other'), edsCluster('slow', 'soon')];
    const schema = await api.admin.post('/api/v1/configs', broken);

    const dangling = edgeConfig('edge-dangling');
    (dangling['spec'] as Record<string, unknown[]>)['routes'] = [
      routeConfiguration('edge_routes', 'nowhere', '(?<=x)y'),
    ];
    const semantic = await api.admin.post('/api/v1/configs', dangling);

    expect(schema.status).toBe(422);
    expect(schema.problem.errors).toEqual([
      { path: 'spec.clusters[2].connect_timeout', message: expect.any(String) as unknown },
    ]);
    expect(semantic.status).toBe(422);
    expect(semantic.problem.errors?.map((issue) => issue.path)).toEqual([
      'spec.routes[0].virtual_hosts[0].routes[0].route.cluster',
      'spec.routes[0].virtual_hosts[0].routes[1].route.cluster',
      'spec.routes[0].virtual_hosts[0].routes[0].match.safe_regex.regex',
    ]);
  });

  it('refuses a malformed envelope with 400', async () => {
    const response = await api.admin.post('/api/v1/configs', {
      ...edgeConfig('edge-envelope'),
      kind: 'Config',
      extra: 1,
    });

    expect(response.status).toBe(400);
    expect(response.problem.errors?.map((issue) => issue.path).sort()).toEqual(['extra', 'kind']);
  });

  it('makes a new immutable version on every update, with diff and history', async () => {
    const created = await create('edge-versions');
    const path = `/api/v1/configs/${created.body.id}`;
    const changed = edgeConfig('edge-versions');
    (changed['spec'] as Record<string, unknown[]>)['clusters'] = [edsCluster('api', '3s')];

    const updated = await api.admin.put<ConfigChangeView>(path, changed, {
      headers: { 'if-match': 'W/"1"', 'change-message': 'slower connect' },
    });
    const patched = await api.admin.patch<ConfigChangeView>(
      path,
      { metadata: { description: 'edge proxies' } },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const stale = await api.admin.put(path, changed, { headers: { 'if-match': 'W/"1"' } });

    expect(updated.status).toBe(200);
    expect(updated.body.change).toEqual({
      fromVersion: 1,
      toVersion: 2,
      patch: [{ op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '3s' }],
    });
    expect(patched.body).toMatchObject({ latestVersion: 3, description: 'edge proxies', version: 3 });
    expect(stale.status).toBe(412);

    const history = await api.admin.get<Page<ConfigVersionSummaryView>>(`${path}/versions`);
    expect(history.body.items.map((version) => [version.number, version.message])).toEqual([
      [3, ''],
      [2, 'slower connect'],
      [1, 'first cut'],
    ]);
    const first = await api.admin.get<ConfigVersionView>(`${path}/versions/1`);
    expect(first.body.document.spec.clusters).toEqual([expect.objectContaining({ connect_timeout: '2s' })]);
    const diff = await api.admin.get<ConfigDiff>(`${path}/diff?from=1&to=2`);
    expect(diff.body.patch).toEqual([
      { op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '3s' },
    ]);
    expect(diff.body.unified).toContain('-      connect_timeout: 2s\n+      connect_timeout: 3s');
    expect((await api.admin.get(`${path}/versions/9`)).status).toBe(404);
    await expect(
      api.sql(`UPDATE config_versions SET message = 'rewritten' WHERE config_id = $1`, [created.body.id]),
    ).rejects.toThrow(/immutable/);
  });

  it('rolls back by making a new version equal to the old one', async () => {
    const created = await create('edge-rollback');
    const path = `/api/v1/configs/${created.body.id}`;
    const changed = edgeConfig('edge-rollback');
    (changed['spec'] as Record<string, unknown[]>)['clusters'] = [edsCluster('api', '9s')];
    await api.admin.put(path, changed, { headers: { 'if-match': 'W/"1"' } });

    const withoutEtag = await api.admin.post(`${path}/versions/1/rollback`);
    const rolledBack = await api.admin.post<ConfigChangeView>(`${path}/versions/1/rollback`, undefined, {
      headers: { 'if-match': 'W/"2"' },
    });

    expect(withoutEtag.status).toBe(428);
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ latestVersion: 3, contentHash: created.body.contentHash });
    expect(rolledBack.body.change.patch).toEqual([
      { op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '2s' },
    ]);
    const history = await api.admin.get<Page<ConfigVersionSummaryView>>(`${path}/versions?sort=number`);
    expect(history.body.items.map((version) => [version.number, version.message])).toEqual([
      [1, 'first cut'],
      [2, ''],
      [3, 'rollback to version 1'],
    ]);
    const events = await api.sql<{ payload: { version: number } }>(
      `SELECT payload FROM outbox WHERE aggregate_id = $1 AND type = 'config.version.created' ORDER BY id`,
      [created.body.id],
    );
    expect(events.map((event) => event.payload.version)).toEqual([1, 2, 3]);
  });

  it('dry-runs a change: returns what would be stored and the diff, stores nothing', async () => {
    const created = await create('edge-dry');
    const path = `/api/v1/configs/${created.body.id}`;
    const changed = edgeConfig('edge-dry');
    (changed['spec'] as Record<string, unknown[]>)['clusters'] = [edsCluster('api', '4s')];

    const dry = await api.admin.put<ConfigChangeView>(`${path}?dryRun=true`, changed, {
      headers: { 'if-match': 'W/"1"' },
    });

    expect(dry.status).toBe(200);
    expect(dry.body.change).toEqual({
      fromVersion: 1,
      toVersion: 2,
      patch: [{ op: 'replace', path: '/spec/clusters/0/connect_timeout', value: '4s' }],
    });
    expect((await api.admin.get<ConfigView>(path)).body).toMatchObject({ latestVersion: 1, version: 1 });
    expect(
      await api.sql('SELECT number FROM config_versions WHERE config_id = $1', [created.body.id]),
    ).toEqual([{ number: 1 }]);
  });

  it('validates a candidate document or the newest version without storing anything', async () => {
    const created = await create('edge-validate');
    const path = `/api/v1/configs/${created.body.id}/validate`;
    const candidate = edgeConfig('edge-validate');
    (candidate['spec'] as Record<string, unknown[]>)['routes'] = [
      routeConfiguration('edge_routes', 'missing'),
    ];

    const stored = await api.admin.post<ValidationReportView>(path);
    const invalid = await api.admin.post<ValidationReportView>(path, candidate);

    expect(stored.body).toEqual({ valid: true, issues: [] });
    expect(invalid.status).toBe(200);
    expect(invalid.body.valid).toBe(false);
    expect(invalid.body.issues[0]?.path).toBe('spec.routes[0].virtual_hosts[0].routes[0].route.cluster');
    expect(
      (await api.admin.post('/api/v1/configs/00000000-0000-4000-8000-000000000000/validate')).status,
    ).toBe(404);
  });

  it('encrypts secrets at rest and never returns them in plain text', async () => {
    const created = await create('edge-secret', { withSecret: true });
    const path = `/api/v1/configs/${created.body.id}`;
    const keyLine = TEST_CERTIFICATE_KEY.split('\n')[1] ?? '';

    expect(created.status).toBe(201);
    expect(created.body.document.spec.secrets).toEqual([
      { name: 'edge_cert', '@masked': expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown },
    ]);
    const read = await api.admin.get(path);
    const version = await api.admin.get(`${path}/versions/1`);
    expect(read.text).not.toContain(keyLine);
    expect(version.text).not.toContain(keyLine);
    const stored = await api.sql<{ body: unknown }>('SELECT body FROM secrets WHERE config_id = $1', [
      created.body.id,
    ]);
    const document = await api.sql<{ document: unknown }>(
      'SELECT document FROM config_versions WHERE config_id = $1',
      [created.body.id],
    );
    expect(JSON.stringify(stored)).not.toContain(keyLine);
    expect(JSON.stringify(document)).not.toContain(keyLine);
    expect(JSON.stringify(stored)).toContain('$encrypted');

    const patched = await api.admin.patch<ConfigChangeView>(
      path,
      { metadata: { description: 'keeps its secret' } },
      { headers: { 'if-match': 'W/"1"' } },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.change.patch).toEqual([
      { op: 'replace', path: '/metadata/description', value: 'keeps its secret' },
    ]);
  });

  it('lists configs with label selectors, and deletes with If-Match', async () => {
    const created = await create('edge-delete');
    const listed = await api.admin.get<Page<ConfigView>>(
      '/api/v1/configs?labels=team%3Dedge&name=edge-delete',
    );

    expect(listed.body.items.map((config) => config.name)).toEqual(['edge-delete']);
    expect(listed.body.items[0]).not.toHaveProperty('document');
    expect(
      (await api.admin.delete(`/api/v1/configs/${created.body.id}`, { headers: { 'if-match': 'W/"1"' } }))
        .status,
    ).toBe(204);
    expect((await api.admin.get(`/api/v1/configs/${created.body.id}`)).status).toBe(404);
    const deleted = await api.sql('SELECT 1 FROM outbox WHERE aggregate_id = $1 AND type = $2', [
      created.body.id,
      'config.deleted',
    ]);
    expect(deleted).toHaveLength(1);
  });
});
