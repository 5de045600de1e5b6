import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiSettings } from '../api-settings';
import { AccessTokenService } from './access-token.service';
import type { Principal } from './principal';

function service(ttlSeconds: number): AccessTokenService {
  const settings: ApiSettings = {
    bodyLimitBytes: 1024,
    jwt: { secret: randomBytes(32), ttlSeconds, jwksUrl: undefined, issuer: undefined, audience: undefined },
    secretEncryptionKey: null,
    instanceId: 'test',
    adminTenantId: null,
  };
  return new AccessTokenService(settings);
}

const keyId = randomUUID();
const principal: Principal = {
  tenantId: randomUUID(),
  role: 'operator',
  actor: `api_key:${keyId}`,
  apiKeyId: keyId,
  installationAdmin: false,
};

describe(AccessTokenService.name, () => {
  it('verifies an issued token again and again to the same principal', async () => {
    const tokens = service(60);
    const { accessToken } = await tokens.issue(principal);

    const first = await tokens.verify(accessToken, null);
    const again = await tokens.verify(accessToken, null);

    expect(first.principal).toEqual(principal);
    expect(again).toEqual(first);
  });

  it('refuses a token with another signature, although the genuine one was verified before', async () => {
    const tokens = service(60);
    const { accessToken } = await tokens.issue(principal);
    await tokens.verify(accessToken, null);
    const [header, payload] = accessToken.split('.');
    const forged = `${header}.${payload}.${randomBytes(32).toString('base64url')}`;

    await expect(tokens.verify(forged, null)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a remembered token once it has expired', async () => {
    const tokens = service(1);
    const { accessToken } = await tokens.issue(principal);
    await tokens.verify(accessToken, null);
    const { exp } = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
      exp: number;
    };
    await sleep(exp * 1000 - Date.now() + 50);

    await expect(tokens.verify(accessToken, null)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('"exp"'),
    });
  });
});
