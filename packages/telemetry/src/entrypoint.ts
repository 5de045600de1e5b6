/**
 * What an app's `main.ts` needs before anything else loads: nothing here imports Nest, Fastify, pg or
 * ioredis, so that OpenTelemetry can instrument them when they load afterwards.
 */
import { inspect } from 'node:util';
import { EnvError } from './env/load-env';
import type { AppEndpoint, RunningApp } from './shutdown/running-app';
import { stopOnSignals } from './shutdown/stop-on-signals';
import { startTelemetry } from './tracing/start-telemetry';

export { startTelemetry, type TelemetryHandle, type TelemetryOptions } from './tracing/start-telemetry';
export { stopOnSignals } from './shutdown/stop-on-signals';
export type { AppEndpoint, RunningApp } from './shutdown/running-app';

/** What an app started by the launcher as a child process sends it once it listens. */
export interface StartedMessage {
  readonly type: typeof STARTED_MESSAGE_TYPE;
  readonly url: string;
  readonly endpoints: readonly AppEndpoint[];
}

export const STARTED_MESSAGE_TYPE = 'envoy-fleet:started';

export interface MainOptions {
  readonly serviceName: string;
  /** Loads the app with a dynamic `import()` (so after telemetry started) and starts it. */
  readonly start: () => Promise<RunningApp>;
}

/**
 * The whole of an app's `main.ts`: starts telemetry, then the app, and stops it gracefully on SIGTERM or
 * SIGINT. Under the launcher's process mode, reports the app's URL to it once the app listens. If the app cannot start (a wrong environment variable, an unreachable dependency), prints one
 * line saying why to stderr and exits 1.
 */
export function runMain(options: MainOptions): void {
  const report = (what: string) => (error: unknown) => {
    process.stderr.write(`${options.serviceName}: ${what}: ${describeError(error)}\n`);
  };
  const failToStart = (error: unknown): void => {
    report('cannot start')(error);
    process.exit(1);
  };
  try {
    const telemetry = startTelemetry({ serviceName: options.serviceName });
    options.start().then((app) => {
      stopOnSignals(async () => {
        await app.close();
        await telemetry.shutdown();
      }, report('stopping failed'));
      reportStarted(app);
    }, failToStart);
  } catch (error) {
    failToStart(error);
  }
}

/** Tells a parent launcher (when there is one, through the IPC channel) where the app listens. */
function reportStarted(app: RunningApp): void {
  if (process.send === undefined) return;
  const message: StartedMessage = {
    type: STARTED_MESSAGE_TYPE,
    url: app.url,
    endpoints: app.endpoints ?? [],
  };
  // Then let go of the channel, which would otherwise keep the process alive on its own.
  process.send(message, undefined, undefined, () => process.disconnect?.());
}

/** One line: the environment problems joined, or the error's message followed by its causes'. */
export function describeError(error: unknown): string {
  if (error instanceof EnvError) return `invalid environment: ${error.problems.join('; ')}`;
  const reasons: string[] = [];
  for (let cause: unknown = error; cause !== undefined && reasons.length < 5;) {
    reasons.push(cause instanceof Error ? cause.message : inspect(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return reasons.join(': ').replace(/\s*\n\s*/g, ' ');
}
