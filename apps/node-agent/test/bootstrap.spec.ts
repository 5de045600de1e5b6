import { EnvError, type RunningApp } from '@envoy-fleet/telemetry';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { bootstrap } from '../src/bootstrap';
import { waitFor } from './support/fake-fleet-manager';

/** The Docker engine of the test machine (CI starts one; see `.ci/run`). */
const DOCKER_HOST = 'unix:///var/run/docker.sock';

describe('node-agent bootstrap', () => {
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
        DOCKER_HOST,
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
  });

  it('is ready once NATS and the Docker engine answer', async () => {
    // The agent starts without waiting for NATS (its containers need it not): ready once connected.
    const response = await waitFor('a ready agent', async () => {
      const answer = await fetch(`${sut.url}/readyz`);
      return answer.status === 200 ? answer : undefined;
    });

    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { 'event-bus': { status: 'up' }, docker: { status: 'up' } },
    });
    expect(response.status).toBe(200);
  });
});

describe('node-agent without a Docker engine', () => {
  let nats: PrivateNatsServer;
  let sut: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    sut = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        NATS_URL: nats.url,
        DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}`,
      },
    });
  });

  afterAll(async () => {
    await sut.close();
    await nats.dispose();
  });

  it('is live but not ready, and says why', async () => {
    const liveness = await fetch(`${sut.url}/healthz`);
    const readiness = await fetch(`${sut.url}/readyz`);
    const report = (await readiness.json()) as { checks: Record<string, { status: string; error?: string }> };

    expect(liveness.status).toBe(200);
    expect(readiness.status).toBe(503);
    expect(report.checks.docker).toEqual({ status: 'down', error: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('node-agent environment', () => {
  it('names every missing or wrong variable at once', async () => {
    const starting = bootstrap({ env: { DOCKER_HOST: '/var/run/docker.sock' } });

    await expect(starting).rejects.toThrow(EnvError);
    await expect(starting).rejects.toThrow(
      [
        'invalid environment:',
        '  DOCKER_HOST: expected unix:///path/to/docker.sock or tcp://host:port, got "/var/run/docker.sock"',
        '  NATS_URL: required (NATS server URL (JetStream enabled), e.g. nats://127.0.0.1:4222)',
      ].join('\n'),
    );
  });
});
