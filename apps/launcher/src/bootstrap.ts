import { createLogger } from '@envoy-fleet/telemetry';
import { banner } from './banner';
import type { LaunchedProduct } from './launched-app';
import { launchModeFrom } from './launcher-env';

export interface LauncherOptions {
  /** The launcher's environment, which the apps inherit. */
  readonly env: NodeJS.ProcessEnv;
  /** Called when an app process dies after start-up (process mode); the others are stopped by then. */
  readonly onAppDied: (error: Error) => void;
}

/**
 * Starts the whole product: the five apps as processes on the services that DATABASE_URL, NATS_URL and
 * REDIS_URL name, or, with none of them set, all in this process on embedded stand-ins. Prints where
 * everything listens once it does.
 */
export async function bootstrap(options: LauncherOptions): Promise<LaunchedProduct> {
  const mode = launchModeFrom(options.env);
  const logger = createLogger({ serviceName: 'launcher', level: mode.logLevel });
  const product =
    mode.kind === 'embedded'
      ? await (
          await import('./embedded/run-embedded.js')
        ).runEmbedded({
          env: options.env,
          postgresPort: mode.postgresPort,
          postgresDataDir: mode.postgresDataDir,
          logger,
        })
      : await (
          await import('./processes/run-processes.js')
        ).runProcesses({ env: options.env, logger, onAppDied: options.onAppDied });
  process.stdout.write(banner(product));
  return product;
}
