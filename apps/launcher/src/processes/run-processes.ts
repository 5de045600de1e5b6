import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@envoy-fleet/telemetry';
import { STARTED_MESSAGE_TYPE, type StartedMessage } from '@envoy-fleet/telemetry/entrypoint';
import { APP_NAMES, type AppName, envForApp } from '../app-catalogue';
import type { LaunchedApp, LaunchedProduct } from '../launched-app';

export interface ProcessesOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Called when an app dies after start-up; the others have been stopped by then. */
  readonly onAppDied: (error: Error) => void;
}

/** How long stopping waits for an app to exit after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 30_000;
const NAME_WIDTH = Math.max(...APP_NAMES.map((name) => name.length));

interface AppProcess {
  readonly name: AppName;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/**
 * Runs each app as its own `node apps/<app>/dist/main.js`, forwarding its output line by line with its name
 * in front. Resolves once every app reported that it listens; if one fails to start, stops the others and
 * rejects. Nothing is restarted: an app that dies later stops the whole product.
 */
export async function runProcesses(options: ProcessesOptions): Promise<LaunchedProduct> {
  const processes = APP_NAMES.map((name) => spawnApp(name, options.env));
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all(processes.map((app) => stopApp(app, options.logger)));
  };

  let apps: LaunchedApp[];
  try {
    apps = await Promise.all(processes.map((app) => started(app)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  for (const app of processes) {
    app.child.once('exit', (code, signal) => {
      if (stopping) return;
      const error = new Error(
        `${app.name} exited (${signal ?? `code ${code}`}); the other apps are being stopped`,
      );
      options.logger.error({ app: app.name, code, signal }, error.message);
      stopAll().then(
        () => options.onAppDied(error),
        () => options.onAppDied(error),
      );
    });
  }
  return {
    description:
      'one process per app, on the PostgreSQL, NATS and Redis of DATABASE_URL, NATS_URL and REDIS_URL',
    apps,
    close: stopAll,
  };
}

function spawnApp(name: AppName, env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', mainScriptOf(name)], {
    env: envForApp(name, env, {}),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const prefix = `${name.padEnd(NAME_WIDTH)} | `;
  forwardLines(child.stdout, process.stdout, prefix);
  forwardLines(child.stderr, process.stderr, prefix);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, exited };
}

/** `apps/<app>/dist/main.js`, found beside the app's `bootstrap` export so that no path is hard-coded. */
function mainScriptOf(name: AppName): string {
  return join(dirname(require.resolve(`@envoy-fleet/${name}/bootstrap`)), 'main.js');
}

function forwardLines(
  input: NodeJS.ReadableStream | null,
  output: NodeJS.WritableStream,
  prefix: string,
): void {
  if (input === null) return;
  createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output.write(`${prefix}${line}\n`));
}

/** Resolves with the app's URL once it reports it listens; rejects if it exits first. */
function started(app: AppProcess): Promise<LaunchedApp> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!isStartedMessage(message)) return;
      app.child.off('exit', onExit);
      resolve({ name: app.name, url: message.url, endpoints: message.endpoints });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      app.child.off('message', onMessage);
      reject(
        new Error(`${app.name} exited during start-up (${signal ?? `code ${code}`}); see its output above`),
      );
    };
    app.child.on('message', onMessage);
    app.child.once('exit', onExit);
  });
}

function isStartedMessage(message: unknown): message is StartedMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Partial<StartedMessage>).type === STARTED_MESSAGE_TYPE &&
    typeof (message as Partial<StartedMessage>).url === 'string' &&
    Array.isArray((message as Partial<StartedMessage>).endpoints)
  );
}

async function stopApp(app: AppProcess, logger: Logger): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    logger.warn({ app: app.name }, `${app.name} did not stop within ${STOP_TIMEOUT_MS} ms: killing it`);
    app.child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  try {
    await app.exited;
  } finally {
    clearTimeout(deadline);
  }
}
