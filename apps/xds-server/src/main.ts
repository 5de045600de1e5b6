import { runMain } from '@envoy-fleet/telemetry/entrypoint';

runMain({
  serviceName: 'xds-server',
  // Imported only now, after telemetry has started, so that http and ioredis load instrumented.
  start: async () => (await import('./bootstrap.js')).bootstrap(),
});
