import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { CreatedTenantView } from '../src/modules/tenants/tenant.dto';
import type { ConfigTemplateView, RenderView } from '../src/modules/config-templates/config-template.dto';
import type { ProxyDeliveryStatusView } from '../src/modules/proxies/proxy-status.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { Page } from '../src/http/list-query';
import { edgeConfig } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const TEMPLATES = '/api/v1/templates';

/** edgeConfig with its listener port and its cluster's connect timeout as parameters. */
const EDGE_TEMPLATE = JSON.stringify(edgeConfig('edge-{{port}}'), null, 2)
  .replace('"port_value": 8080', '"port_value": {{port}}')
  .replace('"connect_timeout": "2s"', '"connect_timeout": {{json timeout}}');

const EDGE_SCHEMA = {
  type: 'object',
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    timeout: { type: 'string' },
  },
  required: ['port', 'timeout'],
  additionalProperties: false,
};

describe('config templates', () => {
  let api: ApiUnderTest;

  beforeAll(async () => {
    api = await startApi('config-templates');
  });

  afterAll(async () => {
    await api.close();
  });

  const create = (name: string, body = EDGE_TEMPLATE, parametersSchema: unknown = EDGE_SCHEMA) =>
    api.admin.post<ConfigTemplateView>(TEMPLATES, { name, body, parametersSchema });
  const render = (id: string, parameters: unknown) =>
    api.admin.post<RenderView>(`${TEMPLATES}/${id}/render`, { parameters });

  it('creates a template with its outbox event and audit row, reads it with its ETag, and lists by name with a cursor', async () => {
    const created = await create('edge');
    await create('edge-b');

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body).toMatchObject({ name: 'edge', description: '', body: EDGE_TEMPLATE, version: 1 });
    expect(created.body.parametersSchema).toEqual(EDGE_SCHEMA);
    const outbox = await api.sql<{ type: string; payload: unknown }>(
      'SELECT type, payload FROM outbox WHERE aggregate_id = $1',
      [created.body.id],
    );
    expect(outbox).toEqual([
      {
        type: 'template.changed',
        payload: { templateId: created.body.id, name: 'edge', change: 'created' },
      },
    ]);
    const audit = await api.sql<{ action: string; actor: string }>(
      `SELECT action, actor FROM audit_log WHERE table_name = 'config_templates' AND row_id = $1`,
      [created.body.id],
    );
    expect(audit).toEqual([{ action: 'insert', actor: expect.stringMatching(/^api_key:/) as unknown }]);
    const read = await api.admin.get<ConfigTemplateView>(`${TEMPLATES}/${created.body.id}`);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual(created.body);
    const first = await api.admin.get<Page<ConfigTemplateView>>(`${TEMPLATES}?limit=1`);
    const second = await api.admin.get<Page<ConfigTemplateView>>(
      `${TEMPLATES}?limit=1&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect([...first.body.items, ...second.body.items].map((item) => item.name)).toEqual(['edge', 'edge-b']);
    const byName = await api.admin.get<Page<ConfigTemplateView>>(`${TEMPLATES}?name=edge-b`);
    expect(byName.body.items.map((item) => item.name)).toEqual(['edge-b']);
  });

  it('refuses a body that does not compile and a schema that is not JSON Schema (422, with the paths)', async () => {
    const badBody = await create('bad-body', '{\n  "a": {{#if port}}\n}');
    const badSchema = await create('bad-schema', EDGE_TEMPLATE, {
      type: 'object',
      properties: { port: { type: 'integr' } },
    });

    expect(badBody.status).toBe(422);
    expect(badBody.problem.errors).toEqual([
      {
        path: 'body',
        message: expect.stringMatching(
          /^is not a valid Handlebars template: Parse error on line 3:/,
        ) as unknown,
      },
    ]);
    expect(badSchema.status).toBe(422);
    expect(badSchema.problem.errors).toEqual(
      expect.arrayContaining([
        {
          path: 'parametersSchema.properties.port.type',
          message: 'is not valid JSON Schema: must be equal to one of the allowed values',
        },
      ]),
    );
    expect((await api.sql('SELECT 1 FROM config_templates WHERE name LIKE $1', ['bad-%'])).length).toBe(0);
  });

  it('refuses a malformed request (400) and a name in use (409)', async () => {
    const unknown = await api.admin.post(TEMPLATES, { name: 'x', body: '{}', extra: 1 });
    const empty = await api.admin.post(TEMPLATES, { name: 'x', body: '' });
    const taken = await create('edge');

    expect(unknown.status).toBe(400);
    expect(unknown.problem.errors).toEqual([{ path: 'extra', message: 'unknown property' }]);
    expect(empty.status).toBe(400);
    expect(empty.problem.errors).toEqual([{ path: 'body', message: 'must not be empty' }]);
    expect(taken.status).toBe(409);
  });

  it('renders a ProxyConfig that passes the config checks', async () => {
    const template = (await create('render-ok')).body;

    const rendered = await render(template.id, { port: 9090, timeout: '3s' });

    expect(rendered.status).toBe(200);
    expect(rendered.body.document).toMatchObject({
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: 'edge-9090' },
      spec: {
        listeners: [{ name: 'http', address: { socket_address: { port_value: 9090 } } }],
        clusters: [{ name: 'api', connect_timeout: '3s' }],
      },
    });
    const config = await api.admin.post('/api/v1/configs', rendered.body.document);
    expect(config.status).toBe(201);
  });

  it('answers 422 with the parameter errors, the render errors, or the config errors of the rendered document', async () => {
    const template = (await create('render-errors')).body;
    const strict = (await create('render-missing', EDGE_TEMPLATE.replace('{{port}}', '{{listenerPort}}'), {}))
      .body;
    const notProxyConfig = (await create('render-kind', '{"apiVersion": "v1", "kind": "Other"}', {})).body;

    const parameters = await render(template.id, { port: 70000, extra: true });
    const missing = await render(strict.id, { port: 1, timeout: '1s' });
    const badDuration = await render(template.id, { port: 9090, timeout: 'forever' });
    const wrongKind = await render(notProxyConfig.id, {});

    expect(parameters.status).toBe(422);
    expect(parameters.problem.errors).toEqual(
      expect.arrayContaining([
        { path: 'parameters.port', message: 'must be <= 65535' },
        { path: 'parameters.timeout', message: 'is required' },
        { path: 'parameters.extra', message: 'is not allowed' },
      ]),
    );
    expect(missing.status).toBe(422);
    expect(missing.problem.errors).toEqual([
      {
        path: 'body',
        message: expect.stringMatching(/^cannot render: "listenerPort" not defined/) as unknown,
      },
    ]);
    expect(badDuration.status).toBe(422);
    expect(badDuration.problem.errors).toEqual([
      {
        path: expect.stringMatching(/^document\.spec\.clusters\[0\]\.connect_timeout/) as unknown,
        message: expect.any(String) as unknown,
      },
    ]);
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'document.kind' }),
        expect.objectContaining({ path: 'document.metadata' }),
      ]),
    );
    expect((await render('00000000-0000-4000-8000-000000000000', {})).status).toBe(404);
    expect((await api.admin.post(`${TEMPLATES}/${template.id}/render`, { params: {} })).status).toBe(400);
  });

  it('replaces and merge-patches under If-Match (412 when stale, 428 without), dry-runs without storing, and emits template.changed', async () => {
    const template = (await create('versioned')).body;
    const path = `${TEMPLATES}/${template.id}`;

    const noIfMatch = await api.admin.patch(path, { description: 'x' });
    const replaced = await api.admin.put<ConfigTemplateView>(
      path,
      { name: 'versioned', body: EDGE_TEMPLATE, parametersSchema: EDGE_SCHEMA, description: 'v2' },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const stale = await api.admin.patch(path, { description: 'late' }, { headers: { 'if-match': 'W/"1"' } });
    const dry = await api.admin.patch<ConfigTemplateView>(
      `${path}?dryRun=true`,
      { description: 'dry' },
      { headers: { 'if-match': 'W/"2"' } },
    );
    const invalid = await api.admin.patch(path, { body: '{{#each}}' }, { headers: { 'if-match': 'W/"2"' } });
    const patched = await api.admin.patch<ConfigTemplateView>(
      path,
      { description: 'v3', parametersSchema: { required: null } },
      { headers: { 'if-match': 'W/"2"' } },
    );

    expect(noIfMatch.status).toBe(428);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ description: 'v2', version: 2 });
    expect(stale.status).toBe(412);
    expect(dry.status).toBe(200);
    expect(dry.headers.get('dry-run')).toBe('true');
    expect(dry.body.description).toBe('dry');
    expect(invalid.status).toBe(422);
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"3"');
    expect(patched.body.description).toBe('v3');
    expect(patched.body.parametersSchema).not.toHaveProperty('required');
    const changes = await api.sql<{ change: string }>(
      `SELECT payload ->> 'change' AS change FROM outbox WHERE aggregate_id = $1 ORDER BY id`,
      [template.id],
    );
    expect(changes.map((row) => row.change)).toEqual(['created', 'updated', 'updated']);
  });

  it('replays a POST retried with its Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'template-once' };
    const body = { name: 'once', body: EDGE_TEMPLATE, parametersSchema: EDGE_SCHEMA };

    const first = await api.admin.post<ConfigTemplateView>(TEMPLATES, body, { headers });
    const retry = await api.admin.post<ConfigTemplateView>(TEMPLATES, body, { headers });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
  });

  it('refuses to delete a template a binding uses (409), then deletes it with its event', async () => {
    const template = (await create('in-use')).body;
    const group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'templated' })).body;
    const binding = await api.admin.post<{ id: string }>('/api/v1/bindings', {
      mode: 'template',
      templateId: template.id,
      groupId: group.id,
      parameters: { port: 8080, timeout: '1s' },
    });
    expect(binding.status).toBe(201);

    const inUse = await api.admin.delete(`${TEMPLATES}/${template.id}`, { headers: { 'if-match': 'W/"1"' } });
    await api.admin.delete(`/api/v1/bindings/${binding.body.id}`, { headers: { 'if-match': 'W/"1"' } });
    const deleted = await api.admin.delete(`${TEMPLATES}/${template.id}`, {
      headers: { 'if-match': 'W/"1"' },
    });

    expect(inUse.status).toBe(409);
    expect(deleted.status).toBe(204);
    expect((await api.admin.get(`${TEMPLATES}/${template.id}`)).status).toBe(404);
    const changes = await api.sql<{ change: string }>(
      `SELECT payload ->> 'change' AS change FROM outbox WHERE aggregate_id = $1 ORDER BY id`,
      [template.id],
    );
    expect(changes.map((row) => row.change)).toEqual(['created', 'deleted']);
  });

  it("shows in a proxy's status why fleet-manager could not serve its config", async () => {
    const group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'rejected' })).body;
    await api.admin.post('/api/v1/proxies', {
      nodeId: 'rejected-1',
      groupId: group.id,
      containerName: 'envoy-proxy-rejected-1',
      proxyPort: 10001,
      adminPort: 20001,
      image: 'envoyproxy/envoy:v1.31.0',
    });
    const path = '/api/v1/proxies/rejected-1/status';
    const before = await api.admin.get<ProxyDeliveryStatusView>(path);
    const rejection = { source: 'template "edge" (binding b)', issues: ['parameters.port: is required'] };
    await api.sql(
      `UPDATE proxies SET config_rejection = $1, config_rejected_at = '2026-01-02T03:04:05Z' WHERE node_id = 'rejected-1'`,
      [JSON.stringify(rejection)],
    );

    const after = await api.admin.get<ProxyDeliveryStatusView>(path);

    expect(before.body.configRejection).toBeNull();
    expect(after.body.configRejection).toEqual({ ...rejection, at: '2026-01-02T03:04:05.000Z' });
  });

  it("keeps another tenant's templates out of sight: not listed, 404 to read, render or change", async () => {
    const template = (await create('tenant-a-only')).body;
    const tenantB = (
      await api.admin.post<CreatedTenantView>('/api/v1/tenants', { name: 'templates-b', displayName: 'B' })
    ).body;
    const adminB = api.anonymous.as(tenantB.adminApiKey.secret);
    const path = `${TEMPLATES}/${template.id}`;

    const listed = await adminB.get<Page<ConfigTemplateView>>(TEMPLATES);
    const patched = await adminB.patch(path, { description: 'b' }, { headers: { 'if-match': 'W/"1"' } });

    expect(listed.body.items).toEqual([]);
    expect((await adminB.get(path)).status).toBe(404);
    expect((await adminB.post(`${path}/render`, { parameters: { port: 1, timeout: '1s' } })).status).toBe(
      404,
    );
    expect(patched.status).toBe(404);
    expect((await api.admin.get<ConfigTemplateView>(path)).body.description).toBe('');
  });

  it('lets a viewer read and render but not write (403)', async () => {
    const template = (await create('for-viewers')).body;
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'templates-viewer',
        role: 'viewer',
      })
    ).body;
    const asViewer = api.anonymous.as(viewer.secret);

    expect((await asViewer.get(`${TEMPLATES}/${template.id}`)).status).toBe(200);
    expect(
      (await asViewer.post(`${TEMPLATES}/${template.id}/render`, { parameters: { port: 1, timeout: '1s' } }))
        .status,
    ).toBe(200);
    expect((await asViewer.post(TEMPLATES, { name: 'nope', body: '{}' })).status).toBe(403);
    expect((await api.anonymous.get(TEMPLATES)).status).toBe(401);
  });
});
