import { type EnvoySim } from '../envoy-sim';
import { SimFleet } from '../sim-fleet';
import { SimLogger } from '../sim-logger';
import { TYPE_SHORT_NAMES } from '../xds/xds-types';
import { type CliSettings } from './cli-program';

const SUMMARY_INTERVAL_MS = 5_000;

/** Logs one Envoy's protocol events in Envoy's words (`gRPC config for ... rejected: ...`). */
function logEvents(sim: EnvoySim, logger: SimLogger, verbose: boolean): void {
  const prefix = verbose ? '' : `${sim.nodeId}: `;
  const detail = verbose ? 'info' : 'debug';
  sim.on('connected', () => logger.log(detail, `${prefix}connected to the xDS server`));
  const method = sim.mode === 'delta' ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
  sim.on('disconnected', (event) =>
    logger.log(
      verbose ? 'warning' : 'debug',
      `${prefix}${method} gRPC config stream closed: ${event.code}, ${event.details}; retrying in ${event.retryInMs} ms`,
    ),
  );
  sim.on('ack', (event) =>
    logger.log('debug', `${prefix}${TYPE_SHORT_NAMES[event.typeUrl]}: accepted version ${event.version}`),
  );
  sim.on('nack', (event) =>
    logger.log('warning', `${prefix}gRPC config for ${event.typeUrl} rejected: ${event.message}`),
  );
  sim.on('state', (state) => logger.log(detail, `${prefix}server state ${state}`));
}

/**
 * Runs the simulated Envoys until SIGTERM/SIGINT or `POST /quitquitquit`: one (`--count 1`, the
 * container case) or a fleet with a periodic summary line.
 */
export async function runSims(settings: CliSettings): Promise<void> {
  const logger = new SimLogger(settings.logLevel);
  const fleet = new SimFleet({
    count: settings.count,
    bootstrap: settings.bootstrap,
    nodeIdPattern: settings.count > 1 ? settings.nodeIdPattern : undefined,
    streamsPerChannel: settings.streamsPerChannel,
    adminPortBase: settings.count > 1 ? settings.adminPortBase : settings.bootstrap.admin?.port,
    startIntervalMs: settings.startIntervalMs,
    rejectPolicy: settings.rejectPolicy,
  });
  const single = settings.count === 1;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.log('info', `shutting down (${reason})`);
      clearInterval(summaryTimer);
      await fleet.stop();
    })();
    return stopping;
  };
  for (const sim of fleet.sims) logEvents(sim, logger, single);
  const summaryTimer = setInterval(() => {
    const summary = fleet.summary();
    logger.log(
      'info',
      `envoy-sim: ${summary.total} envoys, ${summary.connected} connected, ${summary.live} live, ${summary.nacked} NACKs sent`,
    );
  }, SUMMARY_INTERVAL_MS);
  if (single) clearInterval(summaryTimer);
  const { xds } = settings.bootstrap;
  logger.log(
    'info',
    `starting ${settings.count} simulated Envoy(s), ADS ${xds.mode} to ${xds.host}:${xds.port}`,
  );
  await fleet.start();
  for (const sim of fleet.sims.slice(0, 1)) {
    if (sim.adminAddress)
      logger.log('info', `admin address: ${sim.adminAddress.address}:${sim.adminAddress.port}`);
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      void stop(signal).then(resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    for (const sim of fleet.sims) sim.once('quit', () => void stop('/quitquitquit').then(resolve));
  });
}
