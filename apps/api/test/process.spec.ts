import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_ROLES } from '@envoy-fleet/db';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { stringify } from 'yaml';
import type { IssuedToken } from '../src/auth/access-token.service';
import type { ConfigChangeView, ConfigView } from '../src/modules/configs/config.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import { ApiClient } from './support/api-client';
import { type ApiProcess, startApiProcess } from './support/api-process';

const GENERATED_KEY = /envoy-fleet admin API key \(shown once, store it now\): (efk_\S+)/;

/** The api as the product runs it: `node dist/main.js`, migrating an empty database on start. */
describe('api process', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase({
      migrate: () => Promise.resolve({ roles: DEFAULT_DATABASE_ROLES }),
      label: 'api-process',
    });
    env = {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      GRPC_PORT: await freePort(),
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.appUrl,
      DATABASE_SYSTEM_URL: database.systemUrl,
      DATABASE_ADMIN_URL: database.adminUrl,
      DB_MIGRATE_ON_START: 'true',
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: `api_process_${randomBytes(3).toString('hex')}`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
  });

  afterAll(async () => {
    await database.drop();
  });

  it('prints a generated admin key once on first start, serves the api with it, and keeps it across restarts', async () => {
    let first: ApiProcess | undefined = await startApiProcess(env);
    let adminKey: string;
    try {
      const printed = GENERATED_KEY.exec(first.stdout());
      expect(printed).not.toBeNull();
      adminKey = printed?.[1] ?? '';
      const admin = new ApiClient(first.url, adminKey);

      const token = await admin.post<IssuedToken>('/api/v1/auth/token');
      expect(token.status).toBe(200);
      const withToken = new ApiClient(first.url, token.body.accessToken);
      const created = await withToken.request<ConfigChangeView>('POST', '/api/v1/configs', {
        rawBody: stringify(edgeConfig('edge-process')),
        contentType: 'application/yaml',
      });
      expect(created.status).toBe(201);
      expect((await new ApiClient(first.url).get('/api/v1/configs')).status).toBe(401);
      expect((await new ApiClient(first.url).get('/readyz')).status).toBe(200);
      expect(await first.stop()).toBe(0);
      first = undefined;

      const second = await startApiProcess(env);
      try {
        expect(second.stdout()).not.toMatch(GENERATED_KEY);
        const again = new ApiClient(second.url, adminKey);
        const read = await again.get<ConfigView>(`/api/v1/configs/${created.body.id}`);
        expect(read.status).toBe(200);
        expect(read.body.latestVersion).toBe(1);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await first?.stop();
    }
    // Two starts of the process, the first migrating an empty database.
  }, 120_000);
});
