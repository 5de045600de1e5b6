import { describeError, startTelemetry, stopOnSignals } from '@envoy-fleet/telemetry/entrypoint';

const NAME = 'envoy-fleet';

const report = (what: string) => (error: unknown) => {
  process.stderr.write(`${NAME}: ${what}: ${describeError(error)}\n`);
};
const exitAfter = (what: string) => (error: unknown) => {
  report(what)(error);
  process.exit(1);
};

try {
  // One SDK for the embedded apps, started before they load so that http, pg and ioredis are instrumented.
  const telemetry = startTelemetry({ serviceName: NAME });
  const starting = import('./bootstrap.js').then(({ bootstrap }) =>
    bootstrap({ env: process.env, onAppDied: exitAfter('stopped') }),
  );
  starting.catch(exitAfter('cannot start'));
  // Installed before start-up completes: a signal that arrives meanwhile stops what was started, in order.
  stopOnSignals(async () => {
    const product = await starting;
    await product.close();
    await telemetry.shutdown();
  }, report('stopping failed'));
} catch (error) {
  exitAfter('cannot start')(error);
}
