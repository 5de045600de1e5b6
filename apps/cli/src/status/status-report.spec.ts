import { statusReport } from './status-report';

const API = 'http://127.0.0.1:8080';
const alive = { status: 200, body: { status: 'ok' } };

describe(statusReport.name, () => {
  it('is ready when /readyz answers 200 with status ready, listing each check', () => {
    const sut = statusReport(API, alive, {
      status: 200,
      body: { status: 'ready', checks: { postgres: { status: 'up' }, 'event-bus': { status: 'up' } } },
    });

    expect(sut.ready).toBe(true);
    expect(sut.text).toBe(
      [
        'CHECK        STATUS  DETAIL',
        'liveness     ok      HTTP 200',
        'readiness    ready   HTTP 200',
        '  postgres   up',
        '  event-bus  up',
        '',
        'envoy-fleet API at http://127.0.0.1:8080 is ready',
      ].join('\n'),
    );
  });

  it('is not ready when a check is down, and shows why', () => {
    const sut = statusReport(API, alive, {
      status: 503,
      body: { status: 'not_ready', checks: { postgres: { status: 'down', error: 'connection refused' } } },
    });

    expect(sut.ready).toBe(false);
    expect(sut.text).toContain('  postgres  down       connection refused');
    expect(sut.text).toMatch(/is NOT ready$/);
  });

  it('is not ready when the server answers something that is not a health report', () => {
    const sut = statusReport(API, { status: 404, body: 'Not Found' }, { status: 404, body: 'Not Found' });

    expect(sut.ready).toBe(false);
    expect(sut.text).toContain('readiness  unknown  HTTP 404, not an envoy-fleet health answer');
  });
});
