import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type MigrateDatabase, type TestDatabase } from './database';
import { TEST_NATS_URL } from './nats';
import { freePort } from './net';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from './redis';

/** The apps a stack can run, each as `node apps/<app>/dist/main.js` (build them first). */
export const STACK_APPS = ['api', 'fleet-manager', 'xds-server'] as const;
export type StackApp = (typeof STACK_APPS)[number];

/** What `runMain` (`@envoy-fleet/telemetry/entrypoint`) sends its parent once the app listens. */
const STARTED_MESSAGE_TYPE = 'envoy-fleet:started';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const UNTIL_TIMEOUT_MS = 45_000;
const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

export interface StackOptions {
  /** Migrates the stack's database: `runMigrations` from `@envoy-fleet/db`. */
  readonly migrate: MigrateDatabase;
  /** Appears in the database name, the Redis key prefix and the NATS namespace. */
  readonly label?: string;
  /** Variables added to (or overriding) what the stack gives each app, e.g. `{ 'xds-server': { ... } }`. */
  readonly env?: Partial<Record<StackApp, Record<string, string>>>;
  /** `LOG_LEVEL` of every app; default `warn`. */
  readonly logLevel?: string;
}

export interface StackProcess<A extends string = StackApp> {
  readonly app: A;
  /** The app's HTTP server (REST for the api; health and metrics for the others). */
  readonly url: string;
  /** What the process wrote to stdout and stderr so far (JSON log lines). */
  output(): string;
}

/**
 * The product's spine as separate processes on real services: the api (REST, outbox relay),
 * fleet-manager (snapshots, delivery status) and xds-server (ADS), sharing a fresh PostgreSQL database,
 * a NATS JetStream namespace of their own on the shared NATS and a Redis key prefix of their own.
 */
export interface RunningStack {
  readonly apiUrl: string;
  /** An admin API key of the `default` tenant; usable directly as a bearer token. */
  readonly adminToken: string;
  /** Where Envoy (or envoy-sim, or a gRPC xDS client) connects: plain-text ADS. */
  readonly xds: { readonly host: string; readonly port: number };
  readonly database: TestDatabase;
  readonly natsUrl: string;
  readonly natsNamespace: string;
  readonly redisUrl: string;
  readonly redisKeyPrefix: string;
  readonly processes: Readonly<Record<StackApp, StackProcess>>;
  /** `fetch` against the api with the admin token; `body` is sent as JSON. */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Opens the api's event stream (`GET /api/v1/events?types=<types>`) and collects what it delivers. */
  tapEvents(types: string): Promise<EventTap>;
  /**
   * Reads until `done` holds, every 200 ms; after `timeoutMs` (default 45 s) fails with `what`, the last
   * value read and the end of the output of every app and of the processes in `alsoShow`.
   */
  until<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    options?: UntilOptions,
  ): Promise<T>;
  /** Stops the apps (SIGTERM, SIGKILL after 15 s), deletes the Redis keys and drops the database. */
  stop(): Promise<void>;
}

export interface UntilOptions {
  readonly timeoutMs?: number;
  /** Processes outside the stack (a node agent, say) whose output a time-out shows too. */
  readonly alsoShow?: readonly StackProcess<string>[];
}

/** A domain event as the api's Server-Sent Events stream delivers it. */
export interface StreamedEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

export interface EventTap {
  /** Every event delivered so far, in order. */
  readonly received: readonly StreamedEvent[];
  close(): void;
}

/**
 * Starts the three apps and resolves once each listens. The api starts first (it creates the default
 * tenant and the admin key on the empty database), then fleet-manager and xds-server. If one fails to
 * start, those already started are stopped and the error names the app and ends with its output.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const label = (options.label ?? 'stack').toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const database = await createTestDatabase({ migrate: options.migrate, label });
  const suffix = randomBytes(4).toString('hex');
  const natsNamespace = `${label}_${suffix}`.slice(0, 40);
  const redisKeyPrefix = uniqueRedisPrefix(label);
  const adminToken = `stack-admin-${randomBytes(24).toString('hex')}`;
  const xdsPort = Number(await freePort());
  const shared = {
    LOG_LEVEL: options.logLevel ?? 'warn',
    HTTP_HOST: '127.0.0.1',
    NATS_URL: TEST_NATS_URL,
    NATS_NAMESPACE: natsNamespace,
    DATABASE_URL: database.appUrl,
    DATABASE_SYSTEM_URL: database.systemUrl,
  };
  const redis = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redisKeyPrefix };
  const envOf: Record<StackApp, () => Promise<Record<string, string>>> = {
    api: async () => ({
      ...shared,
      HTTP_PORT: await freePort(),
      GRPC_PORT: await freePort(),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      FLEET_BOOTSTRAP_TOKEN: adminToken,
      API_INSTANCE_ID: `stack-${suffix}`,
    }),
    'fleet-manager': async () => ({
      ...shared,
      ...redis,
      HTTP_PORT: await freePort(),
      // The Envoy containers it schedules (through node agents) dial the stack's xds-server.
      FLEET_XDS_HOST: '127.0.0.1',
      FLEET_XDS_PORT: String(xdsPort),
    }),
    'xds-server': async () => ({
      LOG_LEVEL: shared.LOG_LEVEL,
      HTTP_HOST: shared.HTTP_HOST,
      NATS_URL: shared.NATS_URL,
      NATS_NAMESPACE: shared.NATS_NAMESPACE,
      ...redis,
      HTTP_PORT: await freePort(),
      XDS_HOST: '127.0.0.1',
      XDS_PORT: String(xdsPort),
    }),
  };

  const started: AppProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const running of started.reverse()) await running.stop();
  };
  try {
    for (const app of STACK_APPS) {
      started.push(await startApp(app, { ...(await envOf[app]()), ...options.env?.[app] }));
    }
  } catch (error) {
    await stopAll();
    await database.drop();
    throw error;
  }
  const processes = Object.fromEntries(started.map((running) => [running.app, running])) as Record<
    StackApp,
    AppProcess
  >;
  const apiUrl = processes.api.url;
  return {
    apiUrl,
    adminToken,
    xds: { host: '127.0.0.1', port: xdsPort },
    database,
    natsUrl: TEST_NATS_URL,
    natsNamespace,
    redisUrl: TEST_REDIS_URL,
    redisKeyPrefix,
    processes,
    api: (method, path, body, headers = {}) =>
      fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    tapEvents: async (types) => {
      const closed = new AbortController();
      const response = await fetch(`${apiUrl}/api/v1/events?types=${encodeURIComponent(types)}`, {
        headers: { authorization: `Bearer ${adminToken}`, accept: 'text/event-stream' },
        signal: closed.signal,
      });
      if (!response.ok || response.body === null)
        throw new Error(`the api's event stream answered ${response.status}: ${await response.text()}`);
      const received: StreamedEvent[] = [];
      void collectEvents(response.body, received);
      return { received, close: () => closed.abort() };
    },
    until: async (what, read, done, { timeoutMs = UNTIL_TIMEOUT_MS, alsoShow = [] } = {}) => {
      const deadline = Date.now() + timeoutMs;
      let last = await read();
      while (!done(last)) {
        if (Date.now() > deadline) {
          const outputs = [...started, ...alsoShow].map(
            (running) => `--- ${running.app}\n${running.output().slice(-3_000)}`,
          );
          throw new Error(
            `${what}: not reached; last ${JSON.stringify(last, null, 2)}\n${outputs.join('\n')}`,
          );
        }
        await sleep(200);
        last = await read();
      }
      return last;
    },
    stop: async () => {
      await stopAll();
      await deleteRedisKeys(redisKeyPrefix);
      await database.drop();
    },
  };
}

/** Appends each `data:` line of a text/event-stream to `received` until the stream ends. */
async function collectEvents(body: ReadableStream<Uint8Array>, received: StreamedEvent[]): Promise<void> {
  let buffer = '';
  try {
    for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines.filter((each) => each.startsWith('data:')))
        received.push(JSON.parse(line.slice('data:'.length)) as StreamedEvent);
    }
  } catch {
    // The tap was closed or the api went away: the stream ends here.
  }
}

export interface EnvoySimProcess {
  /** The simulated Envoy's admin endpoint (`/ready`, `/config_dump`, `/stats`, `/envoy-sim/reject`). */
  readonly adminUrl: string;
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs envoy-sim's command line (`packages/envoy-sim/dist/envoy-sim.cjs`, built by its `build`) as one
 * Envoy connected to `xds`, and resolves once its admin endpoint answers. `args` are further flags,
 * e.g. `['--reject-extension', 'envoy.filters.http.cors']`.
 */
export async function startEnvoySim(options: {
  readonly nodeId: string;
  readonly cluster: string;
  readonly xds: { readonly host: string; readonly port: number };
  readonly args?: readonly string[];
}): Promise<EnvoySimProcess> {
  const adminPort = await freePort();
  const main = join(REPOSITORY_ROOT, 'packages', 'envoy-sim', 'dist', 'envoy-sim.cjs');
  const child = spawn(
    process.execPath,
    [
      main,
      ...['--service-node', options.nodeId, '--service-cluster', options.cluster],
      ...['--xds-host', options.xds.host, '--xds-port', String(options.xds.port)],
      ...['--admin-port', adminPort, ...(options.args ?? [])],
    ],
    { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`envoy-sim exited with ${child.exitCode}:\n${output}`);
    const answered = await fetch(`${adminUrl}/server_info`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`envoy-sim's admin endpoint did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await sleep(100);
  }
  return {
    adminUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An app run as its own process; `stop()` sends SIGTERM (SIGKILL after 15 s) and waits for the exit. */
export interface AppProcess<A extends string = StackApp> extends StackProcess<A> {
  /** The process id, to read its memory and CPU use. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartAppOptions {
  /** Options for `node` itself, before the entry point (e.g. `--cpu-prof`). */
  readonly nodeOptions?: readonly string[];
}

/**
 * Runs `node apps/<app>/dist/main.js` (build it first) with `env` and PATH as its whole environment,
 * and resolves once it listens; the stack starts its apps with it, and suites start others (a
 * node-agent) beside a stack.
 */
export async function startApp<A extends string>(
  app: A,
  env: Record<string, string>,
  options: StartAppOptions = {},
): Promise<AppProcess<A>> {
  const main = join(REPOSITORY_ROOT, 'apps', app, 'dist', 'main.js');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeOptions ?? []), main], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${app} (${main}) ${reason}; its output ends with:\n${output.slice(-4_000)}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.on('message', (message: { type?: unknown; url?: unknown }) => {
      if (message.type !== STARTED_MESSAGE_TYPE || typeof message.url !== 'string') return;
      clearTimeout(timer);
      resolve(message.url);
    });
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`} before it started`));
    child.once('error', (error) => fail(`could not be spawned: ${error.message}`));
  });
  const { pid } = child;
  if (pid === undefined) throw new Error(`${app} (${main}) started without a process id`);
  return {
    app,
    url,
    pid,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
