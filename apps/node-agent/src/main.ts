import { runMain } from '@envoy-fleet/telemetry/entrypoint';

runMain({
  serviceName: 'node-agent',
  // Imported only now, after telemetry has started, so that http loads instrumented.
  start: async () => (await import('./bootstrap.js')).bootstrap(),
});
