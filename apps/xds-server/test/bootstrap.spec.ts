import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { EnvError, type RunningApp } from '@envoy-fleet/telemetry';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';

describe('xds-server bootstrap', () => {
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        XDS_PORT: await freePort(),
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: uniqueRedisPrefix('xds-server-bootstrap'),
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
  });

  it('is ready once Redis and NATS answer', async () => {
    const response = await fetch(`${sut.url}/readyz`);

    expect(await response.json()).toEqual({
      status: 'ready',
      checks: {
        'snapshot-store': { status: 'up' },
        'event-bus': { status: 'up' },
        'xds-snapshots': { status: 'up' },
      },
    });
    expect(response.status).toBe(200);
  });

  it('reports the event bus down while NATS is unreachable', async () => {
    await nats.stop();
    try {
      const response = await fetch(`${sut.url}/readyz`);
      const report = (await response.json()) as {
        checks: Record<string, { status: string; error?: string }>;
      };

      expect(response.status).toBe(503);
      expect(report.checks['event-bus']).toEqual({ status: 'down', error: expect.stringContaining('NATS') });
      expect(report.checks['snapshot-store']).toEqual({ status: 'up' });
    } finally {
      await nats.start();
    }
  });

  it('serves its metrics', async () => {
    const text = await (await fetch(`${sut.url}/metrics`)).text();

    expect(text).toContain(
      'http_requests_total{route="/readyz",method="GET",status="200",service="xds-server"}',
    );
  });
});

describe('xds-server environment', () => {
  it('names every missing or wrong variable at once', async () => {
    const starting = bootstrap({ env: { HTTP_PORT: 'abc', XDS_PORT: '70000' } });

    await expect(starting).rejects.toThrow(EnvError);
    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  HTTP_PORT: expected an integer between 1 and 65535, got "abc"',
        '  XDS_PORT: expected an integer between 1 and 65535, got "70000"',
        '  NATS_URL: required (NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222)',
        '  REDIS_URL: required (Redis URL of the snapshot store, e.g. redis://127.0.0.1:6379)',
      ].join('\n'),
    );
  });
});
