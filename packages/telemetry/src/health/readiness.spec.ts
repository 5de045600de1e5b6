import { healthReportCheck, type ReadinessCheck, runReadinessChecks } from './readiness';

const up = (name: string): ReadinessCheck => ({ name, check: () => Promise.resolve() });
const down = (name: string, reason: string): ReadinessCheck => ({
  name,
  check: () => Promise.reject(new Error(reason)),
});
const hanging = (name: string): ReadinessCheck => ({ name, check: () => new Promise<void>(() => undefined) });

describe(runReadinessChecks.name, () => {
  it('is ready when every check passes', async () => {
    const sut = await runReadinessChecks([up('postgres'), up('event-bus')], 1000);

    expect(sut).toEqual({
      status: 'ready',
      checks: { postgres: { status: 'up' }, 'event-bus': { status: 'up' } },
    });
  });

  it('is ready with no checks at all', async () => {
    expect(await runReadinessChecks([], 1000)).toEqual({ status: 'ready', checks: {} });
  });

  it('names the failed checks and why, and still reports the others', async () => {
    const sut = await runReadinessChecks([up('postgres'), down('event-bus', 'connection refused')], 1000);

    expect(sut).toEqual({
      status: 'not_ready',
      checks: { postgres: { status: 'up' }, 'event-bus': { status: 'down', error: 'connection refused' } },
    });
  });

  it('fails a check that does not answer within the timeout', async () => {
    const sut = await runReadinessChecks([hanging('docker'), up('event-bus')], 20);

    expect(sut).toEqual({
      status: 'not_ready',
      checks: { docker: { status: 'down', error: 'no answer within 20 ms' }, 'event-bus': { status: 'up' } },
    });
  });
});

describe(healthReportCheck.name, () => {
  it('passes when the component reports itself healthy and fails with its detail otherwise', async () => {
    const healthy = healthReportCheck('event-bus', () =>
      Promise.resolve({ healthy: true, detail: 'connected' }),
    );
    const unhealthy = healthReportCheck('event-bus', () =>
      Promise.resolve({ healthy: false, detail: 'disconnected from NATS; reconnecting' }),
    );

    await expect(healthy.check()).resolves.toBeUndefined();
    await expect(unhealthy.check()).rejects.toThrow('disconnected from NATS; reconnecting');
  });
});
