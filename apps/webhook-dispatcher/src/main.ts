import { runMain } from '@envoy-fleet/telemetry/entrypoint';

runMain({
  serviceName: 'webhook-dispatcher',
  // Imported only now, after telemetry has started, so that http and pg load instrumented.
  start: async () => (await import('./bootstrap.js')).bootstrap(),
});
