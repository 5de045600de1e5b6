import type { ApiKeyView, CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { NodeView } from '../src/modules/nodes/node.dto';
import type { IssuedToken } from '../src/auth/access-token.service';
import type { Page } from '../src/http/list-query';
import type { ApiClient } from './support/api-client';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const node = (hostname: string, labels: Record<string, string> = {}) => ({
  hostname,
  addresses: ['10.0.0.1'],
  labels,
  capacity: { cpuMillicores: 4000, memoryMib: 8192 },
});

describe('api HTTP layer', () => {
  let api: ApiUnderTest;
  let operator: ApiClient;
  let viewer: ApiClient;

  beforeAll(async () => {
    api = await startApi('http-layer', { HTTP_BODY_LIMIT_BYTES: '4096' });
    const created = await Promise.all(
      (['operator', 'viewer'] as const).map((role) =>
        api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: role, role }),
      ),
    );
    [operator, viewer] = created.map((response) => api.admin.as(response.body.secret)) as [
      ApiClient,
      ApiClient,
    ];
  });

  afterAll(async () => {
    await api.close();
  });

  describe('errors', () => {
    it('are problem+json documents with a stable type, and per-field errors for invalid requests (400)', async () => {
      const response = await operator.post('/api/v1/nodes', {
        ...node('bad'),
        capacity: { cpuMillicores: 'lots' },
        colour: 'red',
      });

      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.problem).toMatchObject({
        type: 'https://envoy-fleet.dev/problems/invalid-request',
        title: 'The request is malformed',
        status: 400,
        instance: '/api/v1/nodes',
        code: 'INVALID_REQUEST',
      });
      expect(response.problem.errors).toEqual(
        expect.arrayContaining([
          { path: 'colour', message: 'unknown property' },
          expect.objectContaining({ path: 'capacity.cpuMillicores' }),
          expect.objectContaining({ path: 'capacity.memoryMib' }),
        ]),
      );
    });

    it('reports domain rule violations as 422 with their field paths', async () => {
      const response = await operator.post('/api/v1/nodes', {
        ...node('vm-rules', { 'bad key!': 'x' }),
        proxyPortRange: { start: 20000, end: 20010 },
        adminPortRange: { start: 20005, end: 20020 },
      });

      expect(response.status).toBe(422);
      expect(response.problem.type).toBe('https://envoy-fleet.dev/problems/validation-failed');
      expect(response.problem.errors?.map((issue) => issue.path)).toEqual(['labels.bad key!']);
    });

    it('refuses a body over the limit with 413', async () => {
      const response = await operator.post('/api/v1/nodes', {
        ...node('big'),
        labels: { a: 'x'.repeat(5000) },
      });

      expect(response.status).toBe(413);
      expect(response.problem.type).toBe('https://envoy-fleet.dev/problems/payload-too-large');
    });

    it('refuses malformed JSON with 400 and an unsupported media type with 415', async () => {
      const malformed = await operator.request('POST', '/api/v1/nodes', { rawBody: '{"hostname":' });
      const xml = await operator.request('POST', '/api/v1/nodes', {
        rawBody: '<node/>',
        contentType: 'application/xml',
      });

      expect(malformed.status).toBe(400);
      expect(malformed.problem.detail).toMatch(/the body is not valid JSON/);
      expect(xml.status).toBe(415);
      expect(xml.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it('answers unknown routes with a problem document (404)', async () => {
      const response = await api.admin.get('/api/v1/nothing-here');

      expect(response.status).toBe(404);
      expect(response.problem).toMatchObject({ status: 404, type: 'about:blank' });
    });

    it('returns 404 for a resource that does not exist and 400 for an id that is no UUID', async () => {
      expect((await viewer.get('/api/v1/nodes/3f1e6c2a-1111-4a5b-9c8d-000000000000')).status).toBe(404);
      const malformed = await viewer.get('/api/v1/nodes/not-a-uuid');
      expect(malformed.status).toBe(400);
      expect(malformed.problem.errors).toEqual([{ path: 'params.id', message: 'must be a UUID' }]);
    });

    it('returns 409 for a duplicate name', async () => {
      expect((await operator.post('/api/v1/nodes', node('vm-dup'))).status).toBe(201);
      const duplicate = await operator.post('/api/v1/nodes', node('vm-dup'));

      expect(duplicate.status).toBe(409);
      expect(duplicate.problem.code).toBe('ALREADY_EXISTS');
    });
  });

  describe('authentication and roles', () => {
    it('keeps health, readiness and metrics public', async () => {
      expect((await api.anonymous.get('/healthz')).status).toBe(200);
      expect((await api.anonymous.get('/readyz')).status).toBe(200);
      expect((await api.anonymous.get('/metrics')).status).toBe(200);
    });

    it('answers 401 with WWW-Authenticate without a token, or with a wrong one', async () => {
      const missing = await api.anonymous.get('/api/v1/nodes');
      const wrong = await api.anonymous.get('/api/v1/nodes', {
        token: 'efk_AAAAAAAAAAAA_wrongwrongwrongwrongwrongwrongwrongwrongwro',
      });
      const forged = await api.anonymous.get('/api/v1/nodes', {
        token: 'eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOiJ4In0.c2ln',
      });

      for (const response of [missing, wrong, forged]) {
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="envoy-fleet"');
        expect(response.problem.type).toBe('https://envoy-fleet.dev/problems/unauthenticated');
      }
    });

    it('exchanges an API key for a short-lived access token that works as a bearer token', async () => {
      const exchanged = await operator.post<IssuedToken>('/api/v1/auth/token');

      expect(exchanged.status).toBe(200);
      expect(exchanged.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
      });
      const withToken = api.anonymous.as(exchanged.body.accessToken);
      expect((await withToken.post('/api/v1/nodes', node('vm-by-token'))).status).toBe(201);
      expect((await withToken.post('/api/v1/auth/token')).status).toBe(401);
    });

    it('answers 403 when the role is too low', async () => {
      const response = await viewer.post('/api/v1/nodes', node('vm-viewer'));

      expect(response.status).toBe(403);
      expect(response.problem).toMatchObject({
        code: 'PERMISSION_DENIED',
        details: { required: 'operator', held: 'viewer' },
      });
      expect((await operator.get('/api/v1/api-keys')).status).toBe(403);
      expect((await viewer.get('/api/v1/nodes')).status).toBe(200);
    });

    it('never returns an API key secret after creation', async () => {
      const created = await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'ci',
        role: 'viewer',
      });
      const read = await api.admin.get(`/api/v1/api-keys/${created.body.id}`);
      const listed = await api.admin.get('/api/v1/api-keys');

      expect(created.body.secret).toMatch(/^efk_/);
      expect(read.body).not.toHaveProperty('secret');
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
      const stored = await api.sql<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [
        created.body.id,
      ]);
      expect(stored[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses a revoked API key', async () => {
      const created = await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'to-revoke',
        role: 'viewer',
      });
      const revoked = await api.admin.patch<ApiKeyView>(
        `/api/v1/api-keys/${created.body.id}`,
        { revoked: true },
        {
          headers: { 'if-match': created.headers.get('etag') ?? '' },
        },
      );

      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      expect((await api.anonymous.get('/api/v1/nodes', { token: created.body.secret })).status).toBe(401);
    });
  });

  describe('optimistic concurrency', () => {
    it('returns the version as ETag and requires If-Match on updates and deletes (428, 412)', async () => {
      const created = await operator.post<NodeView>('/api/v1/nodes', node('vm-occ'));
      const path = `/api/v1/nodes/${created.body.id}`;
      const etag = created.headers.get('etag') ?? '';

      expect(etag).toBe('W/"1"');
      expect((await operator.get(path)).headers.get('etag')).toBe('W/"1"');
      const missing = await operator.put(path, node('vm-occ'));
      expect(missing.status).toBe(428);
      expect(missing.problem.type).toBe('https://envoy-fleet.dev/problems/precondition-required');

      const first = await operator.put(
        path,
        { ...node('vm-occ'), region: 'eu-west' },
        { headers: { 'if-match': etag } },
      );
      const second = await operator.patch(path, { zone: 'b' }, { headers: { 'if-match': etag } });

      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('W/"2"');
      expect(second.status).toBe(412);
      expect(second.problem.code).toBe('PRECONDITION_FAILED');
      expect((await operator.delete(path, { headers: { 'if-match': etag } })).status).toBe(412);
      expect((await operator.delete(path)).status).toBe(428);
      expect((await operator.delete(path, { headers: { 'if-match': 'W/"2"' } })).status).toBe(204);
      expect((await operator.get(path)).status).toBe(404);
    });

    it('applies JSON merge patches (RFC 7396) and validates the result', async () => {
      const created = await operator.post<NodeView>(
        '/api/v1/nodes',
        node('vm-patch', { env: 'prod', tier: 'web' }),
      );
      const path = `/api/v1/nodes/${created.body.id}`;

      const patched = await operator.patch(
        path,
        { labels: { tier: null, team: 'edge' }, region: 'us' },
        { headers: { 'if-match': 'W/"1"' } },
      );
      const invalid = await operator.patch(
        path,
        { capacity: { cpuMillicores: -1 } },
        { headers: { 'if-match': 'W/"2"' } },
      );

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ labels: { env: 'prod', team: 'edge' }, region: 'us', version: 2 });
      expect(invalid.status).toBe(400);
      expect(invalid.problem.errors).toEqual([expect.objectContaining({ path: 'capacity.cpuMillicores' })]);
    });
  });

  describe('lists', () => {
    beforeAll(async () => {
      const labelSets: Record<string, string>[] = [
        { set: 'list', env: 'prod', tier: 'web' },
        { set: 'list', env: 'prod', tier: 'db' },
        { set: 'list', env: 'staging', tier: 'web' },
        { set: 'list', env: 'prod' },
        { set: 'list', env: 'dev', tier: 'web' },
      ];
      for (const [index, labels] of labelSets.entries()) {
        const response = await operator.post('/api/v1/nodes', {
          ...node(`list-${index}`, labels),
          region: index % 2 === 0 ? 'eu' : 'us',
        });
        expect(response.status).toBe(201);
      }
    });

    it('pages with an opaque cursor through a stable order, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await viewer.get<Page<NodeView>>(
          `/api/v1/nodes?labels=set%3Dlist&limit=2&sort=-hostname${query}`,
        );
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item) => item.hostname));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor !== null);

      expect(seen).toEqual(['list-4', 'list-3', 'list-2', 'list-1', 'list-0']);
      expect(pages).toBe(3);
    });

    it('filters by label selector and by field', async () => {
      const selected = await viewer.get<Page<NodeView>>(
        `/api/v1/nodes?labels=${encodeURIComponent('set=list,env=prod,tier!=db')}&sort=hostname`,
      );
      const inSet = await viewer.get<Page<NodeView>>(
        `/api/v1/nodes?labels=${encodeURIComponent('env in (staging,dev),!missing')}&region=eu`,
      );

      expect(selected.body.items.map((item) => item.hostname)).toEqual(['list-0', 'list-3']);
      expect(inSet.body.items.map((item) => item.hostname).sort()).toEqual(['list-2', 'list-4']);
    });

    it('sorts by several fields of the allow-list and refuses others', async () => {
      const sorted = await viewer.get<Page<NodeView>>('/api/v1/nodes?labels=set&sort=-createdAt,hostname');
      const refused = await viewer.get('/api/v1/nodes?sort=capacity');
      const unknown = await viewer.get('/api/v1/nodes?colour=red');
      const foreignCursor = await viewer.get(
        `/api/v1/nodes?sort=hostname&cursor=${encodeURIComponent(Buffer.from('{"s":"-hostname","v":["a","b"]}').toString('base64url'))}`,
      );

      expect(sorted.body.items.map((item) => item.hostname)).toEqual([
        'list-4',
        'list-3',
        'list-2',
        'list-1',
        'list-0',
      ]);
      expect(refused.status).toBe(400);
      expect(refused.problem.errors?.[0]?.path).toBe('query.sort');
      expect(unknown.status).toBe(400);
      expect(unknown.problem.errors).toEqual([{ path: 'query.colour', message: 'unknown property' }]);
      expect(foreignCursor.status).toBe(400);
      expect(foreignCursor.problem.errors?.[0]?.path).toBe('query.cursor');
    });
  });

  describe('dry runs', () => {
    it('validate and return what would be stored, and store nothing', async () => {
      const dry = await operator.post<NodeView>('/api/v1/nodes?dryRun=true', node('vm-dry'));

      expect(dry.status).toBe(200);
      expect(dry.headers.get('dry-run')).toBe('true');
      expect(dry.body).toMatchObject({ hostname: 'vm-dry', version: 1, id: expect.any(String) });
      expect((await operator.get(`/api/v1/nodes/${dry.body.id}`)).status).toBe(404);
      expect(await api.sql('SELECT 1 FROM nodes WHERE hostname = $1', ['vm-dry'])).toEqual([]);
      expect(await api.sql(`SELECT 1 FROM outbox WHERE payload ->> 'hostname' = 'vm-dry'`)).toEqual([]);
      expect((await operator.post('/api/v1/nodes?dryRun=true', { hostname: '' })).status).toBe(400);
    });

    it('of an update or delete leave the resource as it was', async () => {
      const created = await operator.post<NodeView>('/api/v1/nodes', node('vm-dry-update'));
      const path = `/api/v1/nodes/${created.body.id}`;

      const dryPatch = await operator.patch(
        `${path}?dryRun=true`,
        { region: 'ap' },
        { headers: { 'if-match': 'W/"1"' } },
      );
      const dryDelete = await operator.delete(`${path}?dryRun=true`, { headers: { 'if-match': 'W/"1"' } });

      expect(dryPatch.body).toMatchObject({ region: 'ap', version: 2 });
      expect(dryDelete.status).toBe(200);
      expect((await operator.get(path)).body).toMatchObject({ region: null, version: 1 });
    });
  });

  describe('idempotent retries', () => {
    it('replay the first response to a POST retried with the same Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'create-vm-idem-1' };
      const first = await operator.post<NodeView>('/api/v1/nodes', node('vm-idem'), { headers });
      const retry = await operator.post<NodeView>('/api/v1/nodes', node('vm-idem'), { headers });

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('etag')).toBe('W/"1"');
      expect(await api.sql('SELECT id FROM nodes WHERE hostname = $1', ['vm-idem'])).toHaveLength(1);
    });

    it('run concurrent retries once', async () => {
      const headers = { 'idempotency-key': 'create-vm-idem-concurrent' };
      const responses = await Promise.all(
        [1, 2, 3].map(() =>
          operator.post<NodeView>('/api/v1/nodes', node('vm-idem-concurrent'), { headers }),
        ),
      );

      expect(responses.map((response) => response.status)).toEqual([201, 201, 201]);
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    });

    it('refuse a key reused for a different request (422)', async () => {
      const headers = { 'idempotency-key': 'create-vm-idem-2' };
      await operator.post('/api/v1/nodes', node('vm-idem-2'), { headers });
      const reused = await operator.post('/api/v1/nodes', node('vm-idem-other'), { headers });

      expect(reused.status).toBe(422);
      expect(reused.problem.type).toBe('https://envoy-fleet.dev/problems/idempotency-key-reused');
    });

    it('do not record a failed request, so that it can be retried', async () => {
      const headers = { 'idempotency-key': 'create-vm-idem-3' };
      const failed = await viewer.post('/api/v1/nodes', node('vm-idem-3'), { headers });
      const clash = await operator.post('/api/v1/nodes', node('vm-dup'), { headers });
      const retried = await operator.post('/api/v1/nodes', node('vm-idem-3'), { headers });

      expect(failed.status).toBe(403);
      expect(clash.status).toBe(409);
      expect(retried.status).toBe(201);
    });
  });

  describe('events and audit', () => {
    it('writes the outbox event and the audit row in the transaction of the change', async () => {
      const created = await operator.post<NodeView>('/api/v1/nodes', node('vm-events'));
      const outbox = await api.sql<{ type: string; aggregate_id: string }>(
        'SELECT type, aggregate_id FROM outbox WHERE aggregate_id = $1',
        [created.body.id],
      );
      const audit = await api.sql<{ action: string; actor: string }>(
        `SELECT action, actor FROM audit_log WHERE table_name = 'nodes' AND row_id = $1`,
        [created.body.id],
      );

      expect(outbox).toEqual([{ type: 'node.registered', aggregate_id: created.body.id }]);
      expect(audit).toEqual([{ action: 'insert', actor: expect.stringMatching(/^api_key:/) }]);
    });
  });
});
