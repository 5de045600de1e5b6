import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import type { Page } from '../src/http/list-query';
import type { ApiKeyView, CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { RoleBindingView } from '../src/modules/role-bindings/role-binding.dto';
import type { UserView } from '../src/modules/users/user.dto';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'envoy-fleet';

describe('users, role bindings, and the roles the guard grants', () => {
  let api: ApiUnderTest;
  let jwks: Server;
  let signingKey: KeyLike;
  let tenantId: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    const keys = [{ ...(await exportJWK(pair.publicKey)), kid: 'test', alg: 'ES256' }];
    jwks = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    api = await startApi('users-roles', {
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    tenantId = (await api.sql<{ id: string }>("SELECT id FROM tenants WHERE name = 'default'"))[0]?.id ?? '';
  });

  afterAll(async () => {
    await api.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  /** A token of the identity provider claiming `role`, for `subject`, with an optional email claim. */
  const idpToken = (subject: string, role: string, email?: string): Promise<string> =>
    new SignJWT({ tid: tenantId, role, ...(email === undefined ? {} : { email }) })
      .setProtectedHeader({ alg: 'ES256', kid: 'test' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(signingKey);

  const createUser = (email: string, extra: Record<string, unknown> = {}) =>
    api.admin.post<UserView>('/api/v1/users', { email, ...extra });

  it('manages users: lower-cased email, list filters, If-Match, duplicates, validation', async () => {
    const created = await createUser('Alice@Example.Test', { displayName: 'Alice' });
    const duplicate = await createUser('alice@example.test');
    const invalid = await createUser('not-an-address');
    const unknownField = await createUser('bob@example.test', { role: 'admin' });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'alice@example.test',
      displayName: 'Alice',
      status: 'active',
    });
    expect(duplicate.status).toBe(409);
    expect(invalid.status).toBe(400);
    expect(invalid.problem.errors).toEqual([{ path: 'email', message: 'must be an e-mail address' }]);
    expect(unknownField.problem.errors).toEqual([{ path: 'role', message: 'unknown property' }]);

    const path = `/api/v1/users/${created.body.id}`;
    const patched = await api.admin.patch<UserView>(
      path,
      { displayName: 'Alice A.' },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const stale = await api.admin.put(
      path,
      { email: 'alice@example.test' },
      { headers: { 'if-match': 'W/"1"' } },
    );
    const listed = await api.admin.get<Page<UserView>>('/api/v1/users?email=alice@example.test');

    expect(patched.body).toMatchObject({ displayName: 'Alice A.', version: 2 });
    expect(stale.status).toBe(412);
    expect(listed.body.items.map((user) => user.id)).toEqual([created.body.id]);
    expect((await api.admin.get(`/api/v1/users/${randomUUID()}`)).status).toBe(404);
  });

  it('keeps users and role bindings for admins (403 for operators)', async () => {
    const operator = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', {
        name: 'users-operator',
        role: 'operator',
      })
    ).body;
    const asOperator = api.anonymous.as(operator.secret);

    expect((await asOperator.get('/api/v1/users')).status).toBe(403);
    expect((await asOperator.get('/api/v1/role-bindings')).status).toBe(403);
    expect((await asOperator.post('/api/v1/users', { email: 'x@example.test' })).status).toBe(403);
    expect((await api.anonymous.get('/api/v1/role-bindings')).status).toBe(401);
  });

  it('binds a user to one role; an API key keeps the binding it was created with', async () => {
    const user = (await createUser('carol@example.test')).body;
    const key = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'bound-key', role: 'viewer' })
    ).body;

    const bound = await api.admin.post<RoleBindingView>('/api/v1/role-bindings', {
      userId: user.id,
      role: 'operator',
    });
    const again = await api.admin.post('/api/v1/role-bindings', { userId: user.id, role: 'viewer' });
    const keyAgain = await api.admin.post('/api/v1/role-bindings', { apiKeyId: key.id, role: 'admin' });
    const both = await api.admin.post('/api/v1/role-bindings', {
      userId: user.id,
      apiKeyId: key.id,
      role: 'admin',
    });
    const missing = await api.admin.post('/api/v1/role-bindings', {
      userId: '00000000-0000-4000-8000-000000000000',
      role: 'viewer',
    });

    expect(bound.status).toBe(201);
    expect(bound.body).toMatchObject({ userId: user.id, apiKeyId: null, role: 'operator', version: 1 });
    expect(again.status).toBe(409);
    expect(keyAgain.status).toBe(409);
    expect(both.status).toBe(400);
    expect(both.problem.errors).toEqual([
      { path: 'userId', message: 'name exactly one subject: userId or apiKeyId' },
    ]);
    expect(missing.status).toBe(422);
    expect(missing.problem.errors).toEqual([
      { path: 'userId', message: 'refers to a user that does not exist' },
    ]);

    const keyBinding = (
      await api.admin.get<Page<RoleBindingView>>(`/api/v1/role-bindings?apiKeyId=${key.id}`)
    ).body.items[0];
    expect(keyBinding).toMatchObject({ apiKeyId: key.id, role: 'viewer' });
    const deleteKeyBinding = await api.admin.delete(`/api/v1/role-bindings/${keyBinding?.id ?? ''}`, {
      headers: { 'if-match': 'W/"1"' },
    });
    expect(deleteKeyBinding.status).toBe(409);

    const promoted = await api.admin.put<RoleBindingView>(
      `/api/v1/role-bindings/${keyBinding?.id ?? ''}`,
      { role: 'operator' },
      { headers: { 'if-match': 'W/"1"' } },
    );
    expect(promoted.body).toMatchObject({ role: 'operator', version: 2 });
    expect((await api.admin.get<ApiKeyView>(`/api/v1/api-keys/${key.id}`)).body.role).toBe('operator');
    const subjectChange = await api.admin.put(
      `/api/v1/role-bindings/${bound.body.id}`,
      { role: 'viewer', userId: user.id },
      { headers: { 'if-match': 'W/"1"' } },
    );
    expect(subjectChange.status).toBe(400);

    const removed = await api.admin.delete(`/api/v1/role-bindings/${bound.body.id}`, {
      headers: { 'if-match': 'W/"1"' },
    });
    expect(removed.status).toBe(204);
    expect((await api.admin.get(`/api/v1/role-bindings/${bound.body.id}`)).status).toBe(404);
  });

  it("refuses to change the caller's own binding (409)", async () => {
    const keyId = (await api.sql<{ id: string }>("SELECT id FROM api_keys WHERE name = 'bootstrap-admin'"))[0]
      ?.id;
    const own = (await api.admin.get<Page<RoleBindingView>>(`/api/v1/role-bindings?apiKeyId=${keyId ?? ''}`))
      .body.items[0];

    const demoted = await api.admin.patch(
      `/api/v1/role-bindings/${own?.id ?? ''}`,
      { role: 'viewer' },
      { headers: { 'if-match': `W/"${own?.version ?? 1}"` } },
    );

    expect(own?.role).toBe('admin');
    expect(demoted.status).toBe(409);
    expect(demoted.problem.code).toBe('INVALID_STATE');
  });

  it("grants an exchanged token its API key's current binding, and refuses it once the key is revoked", async () => {
    const key = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'exchanged', role: 'operator' })
    ).body;
    const token = (
      await api.anonymous.post<{ accessToken: string }>('/api/v1/auth/token', undefined, {
        token: key.secret,
      })
    ).body.accessToken;
    const asToken = api.anonymous.as(token);
    const group = { name: 'role-check' };

    expect((await asToken.post('/api/v1/proxy-groups', group)).status).toBe(201);
    const binding = (await api.admin.get<Page<RoleBindingView>>(`/api/v1/role-bindings?apiKeyId=${key.id}`))
      .body.items[0];
    await api.admin.patch(
      `/api/v1/role-bindings/${binding?.id ?? ''}`,
      { role: 'viewer' },
      { headers: { 'if-match': 'W/"1"' } },
    );

    const demoted = await asToken.post('/api/v1/proxy-groups', { name: 'role-check-2' });
    expect(demoted.status).toBe(403);
    expect(demoted.problem.details).toMatchObject({ required: 'operator', held: 'viewer' });
    expect((await asToken.get('/api/v1/proxy-groups')).status).toBe(200);

    await api.admin.patch(
      `/api/v1/api-keys/${key.id}`,
      { revoked: true },
      { headers: { 'if-match': 'W/"1"' } },
    );
    expect((await asToken.get('/api/v1/proxy-groups')).status).toBe(401);
  });

  it("grants an identity provider's user the role of its binding, not the one its token claims", async () => {
    const dave = (await createUser('dave@example.test')).body;
    await api.admin.post('/api/v1/role-bindings', { userId: dave.id, role: 'viewer' });
    const erin = (await createUser('erin@example.test')).body;
    await api.admin.post('/api/v1/role-bindings', { userId: erin.id, role: 'admin' });
    const unbound = (await createUser('frank@example.test')).body;
    const disabled = (await createUser('gina@example.test', { status: 'disabled' })).body;
    await api.admin.post('/api/v1/role-bindings', { userId: disabled.id, role: 'admin' });

    const daveBySubject = api.anonymous.as(await idpToken(dave.id, 'admin'));
    const erinByEmail = api.anonymous.as(await idpToken('idp|erin', 'viewer', 'Erin@Example.test'));
    const frank = api.anonymous.as(await idpToken(unbound.id, 'admin'));
    const gina = api.anonymous.as(await idpToken(disabled.id, 'admin'));
    const stranger = api.anonymous.as(await idpToken('idp|someone-else', 'operator'));

    const daveWrites = await daveBySubject.post('/api/v1/proxy-groups', { name: 'dave' });
    expect(daveWrites.status).toBe(403);
    expect(daveWrites.problem.details).toMatchObject({ held: 'viewer' });
    expect((await daveBySubject.get('/api/v1/proxy-groups')).status).toBe(200);
    expect((await erinByEmail.get('/api/v1/users')).status).toBe(200);
    const frankReads = await frank.get('/api/v1/proxy-groups');
    expect(frankReads.status).toBe(403);
    expect(frankReads.problem.detail).toContain('has no role binding');
    expect((await gina.get('/api/v1/proxy-groups')).status).toBe(401);
    expect((await stranger.post('/api/v1/proxy-groups', { name: 'stranger' })).status).toBe(201);
    expect((await stranger.get('/api/v1/users')).status).toBe(403);
  });
});
