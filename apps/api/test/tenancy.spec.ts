import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '../src/http/list-query';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { NodeView } from '../src/modules/nodes/node.dto';
import type { CreatedTenantView, TenantView } from '../src/modules/tenants/tenant.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import type { ApiClient } from './support/api-client';
import { startApi, type ApiUnderTest } from './support/api-under-test';

/** A JWKS endpoint of an identity provider, served on the loopback. */
async function serveJwks(keys: JWK[]): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, server };
}

describe('tenancy', () => {
  let api: ApiUnderTest;
  let jwks: { url: string; server: Server };
  let signingKey: KeyLike;
  let tenantB: CreatedTenantView;
  let adminB: ApiClient;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    jwks = await serveJwks([{ ...(await exportJWK(pair.publicKey)), kid: 'test', alg: 'ES256' }]);
    api = await startApi('tenancy', {
      JWKS_URL: jwks.url,
      JWT_ISSUER: 'https://idp.test',
      JWT_AUDIENCE: 'envoy-fleet',
    });
    const created = await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
      name: 'tenant-b',
      displayName: 'Tenant B',
    });
    expect(created.status).toBe(201);
    tenantB = created.body;
    adminB = api.anonymous.as(tenantB.adminApiKey.secret);
  });

  afterAll(async () => {
    await api.close();
    await new Promise((resolve) => jwks.server.close(resolve));
  });

  it('creates the installation tenant and its admin key on first start', async () => {
    const tenants = await api.sql<{ name: string }>('SELECT name FROM tenants ORDER BY created_at');
    const events = await api.sql<{ type: string }>(`SELECT type FROM outbox WHERE type = 'tenant.created'`);

    expect(tenants.map((tenant) => tenant.name)).toEqual(['default', 'tenant-b']);
    expect(events).toHaveLength(2);
  });

  it("keeps each tenant's rows away from the other, also by id", async () => {
    const nodeOfA = await api.admin.post<NodeView>('/api/v1/nodes', {
      hostname: 'vm-a',
      capacity: { cpuMillicores: 1, memoryMib: 1 },
    });
    const configOfA = await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('edge-a'));
    const sameNameInB = await adminB.post<NodeView>('/api/v1/nodes', {
      hostname: 'vm-a',
      capacity: { cpuMillicores: 1, memoryMib: 1 },
    });

    expect(sameNameInB.status).toBe(201);
    const listedByB = await adminB.get<Page<NodeView>>('/api/v1/nodes');
    expect(listedByB.body.items.map((node) => node.id)).toEqual([sameNameInB.body.id]);
    expect((await adminB.get(`/api/v1/nodes/${nodeOfA.body.id}`)).status).toBe(404);
    expect((await adminB.get(`/api/v1/configs/${configOfA.body.id}`)).status).toBe(404);
    expect((await adminB.get(`/api/v1/configs/${configOfA.body.id}/versions`)).status).toBe(404);
    expect(
      (await adminB.delete(`/api/v1/nodes/${nodeOfA.body.id}`, { headers: { 'if-match': 'W/"1"' } })).status,
    ).toBe(404);
    expect((await adminB.get<Page<unknown>>('/api/v1/configs')).body.items).toEqual([]);
    expect((await api.admin.get(`/api/v1/nodes/${nodeOfA.body.id}`)).status).toBe(200);
  });

  it('lets only installation admins manage tenants; a tenant admin sees its own tenant only', async () => {
    const listedByB = await adminB.get<Page<TenantView>>('/api/v1/tenants');
    const listedByInstallation = await api.admin.get<Page<TenantView>>('/api/v1/tenants');

    expect(listedByB.body.items.map((tenant) => tenant.name)).toEqual(['tenant-b']);
    expect(listedByInstallation.body.items.map((tenant) => tenant.name)).toEqual(['default', 'tenant-b']);
    expect((await adminB.post('/api/v1/tenants', { name: 'tenant-c', displayName: 'C' })).status).toBe(403);
    const ownTenant = await adminB.get<TenantView>(`/api/v1/tenants/${tenantB.id}`);
    expect(ownTenant.headers.get('etag')).toBe('W/"1"');
    const installation = listedByInstallation.body.items.find((tenant) => tenant.name === 'default');
    expect((await adminB.get(`/api/v1/tenants/${installation?.id ?? ''}`)).status).toBe(404);
    const refusedDelete = await api.admin.delete(`/api/v1/tenants/${installation?.id ?? ''}`, {
      headers: { 'if-match': 'W/"1"' },
    });
    expect(refusedDelete.status).toBe(409);
  });

  it('enforces the tenant quotas set by the installation admin', async () => {
    const tenant = await api.admin.get<TenantView>(`/api/v1/tenants/${tenantB.id}`);
    const limited = await api.admin.patch<TenantView>(
      `/api/v1/tenants/${tenantB.id}`,
      { quotas: { maxNodes: 1 } },
      {
        headers: { 'if-match': tenant.headers.get('etag') ?? '' },
      },
    );

    expect(limited.body.quotas.maxNodes).toBe(1);
    const refused = await adminB.post('/api/v1/nodes', {
      hostname: 'vm-b2',
      capacity: { cpuMillicores: 1, memoryMib: 1 },
    });
    expect(refused.status).toBe(403);
    expect(refused.problem).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { quota: 'maxNodes', limit: 1 },
    });
  });

  it('counts creations made at the same moment one by one: exactly the quota is stored', async () => {
    const created = await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
      name: 'tenant-crowded',
      displayName: 'Crowded',
      quotas: { maxConfigs: 5 },
    });
    const admin = api.admin.as(created.body.adminApiKey.secret);

    const statuses = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const answer = await admin.post('/api/v1/configs', edgeConfig(`crowded-${index}`));
        return answer.status === 403 ? answer.problem.code : answer.status;
      }),
    );

    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    expect(statuses.filter((status) => status === 'QUOTA_EXCEEDED')).toHaveLength(7);
    const stored = await admin.get<Page<ConfigChangeView>>('/api/v1/configs');
    expect(stored.body.items).toHaveLength(5);
  });

  it('limits the request rate per API key with 429 and Retry-After', async () => {
    const created = await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
      name: 'tenant-limited',
      displayName: 'Limited',
      quotas: { apiRequestsPerMinute: 3 },
    });
    const limited = api.anonymous.as(created.body.adminApiKey.secret);

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1)
      statuses.push((await limited.get('/api/v1/nodes')).status);
    const refused = await limited.get('/api/v1/nodes');

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.problem.type).toBe('https://envoy-fleet.dev/problems/rate-limited');
    expect((await adminB.get('/api/v1/nodes')).status).toBe(200);
  });

  it("refuses a suspended tenant's keys", async () => {
    const created = await api.admin.post<CreatedTenantView>('/api/v1/tenants', {
      name: 'tenant-suspended',
      displayName: 'S',
    });
    const suspended = await api.admin.patch(
      `/api/v1/tenants/${created.body.id}`,
      { status: 'suspended' },
      { headers: { 'if-match': 'W/"1"' } },
    );

    expect(suspended.status).toBe(200);
    const refused = await api.anonymous.get('/api/v1/nodes', { token: created.body.adminApiKey.secret });
    expect(refused.status).toBe(403);
    expect(refused.problem.detail).toMatch(/is suspended/);
  });

  it("accepts an identity provider's ES256 token verified against JWKS_URL, with its tenant and role", async () => {
    const token = await new SignJWT({ tid: tenantB.id, role: 'viewer' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setSubject('alice@example.com')
      .setIssuer('https://idp.test')
      .setAudience('envoy-fleet')
      .setExpirationTime('5m')
      .sign(signingKey);
    const alice = api.anonymous.as(token);

    const listed = await alice.get<Page<NodeView>>('/api/v1/nodes');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((node) => node.hostname)).toEqual(['vm-a']);
    expect(
      (await alice.post('/api/v1/nodes', { hostname: 'x', capacity: { cpuMillicores: 1, memoryMib: 1 } }))
        .status,
    ).toBe(403);

    const otherIssuer = await new SignJWT({ tid: tenantB.id, role: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setSubject('mallory')
      .setIssuer('https://elsewhere.test')
      .setAudience('envoy-fleet')
      .setExpirationTime('5m')
      .sign(signingKey);
    expect((await api.anonymous.get('/api/v1/nodes', { token: otherIssuer })).status).toBe(401);
  });
});
