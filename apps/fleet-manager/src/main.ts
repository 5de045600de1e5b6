import { runMain } from '@envoy-fleet/telemetry/entrypoint';

runMain({
  serviceName: 'fleet-manager',
  // Imported only now, after telemetry has started, so that http, pg and ioredis load instrumented.
  start: async () => (await import('./bootstrap.js')).bootstrap(),
});
