import { banner } from './banner';

describe(banner.name, () => {
  it('says how the product runs, where the API and the other endpoints are, and where each app answers health checks', () => {
    const sut = banner({
      description: 'one process per app',
      apps: [
        {
          name: 'api',
          url: 'http://127.0.0.1:8080',
          endpoints: [{ label: 'REST API', address: 'http://127.0.0.1:8080/api/v1' }],
        },
        {
          name: 'xds-server',
          url: 'http://127.0.0.1:8083',
          endpoints: [{ label: 'xDS (ADS over gRPC)', address: '127.0.0.1:18000' }],
        },
        { name: 'webhook-dispatcher', url: 'http://127.0.0.1:8085', endpoints: [] },
      ],
      close: () => Promise.resolve(),
    });

    expect(sut).toBe(
      [
        'envoy-fleet is running: one process per app.',
        '  REST API             http://127.0.0.1:8080/api/v1',
        '  xDS (ADS over gRPC)  127.0.0.1:18000',
        '  Apps (liveness /healthz, readiness /readyz, Prometheus /metrics):',
        '    api                 http://127.0.0.1:8080/healthz',
        '    xds-server          http://127.0.0.1:8083/healthz',
        '    webhook-dispatcher  http://127.0.0.1:8085/healthz',
        'Stop it with Ctrl-C or SIGTERM.',
        '',
      ].join('\n'),
    );
  });
});
