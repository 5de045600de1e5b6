import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@envoy-fleet/test-kit/net';
import { APP_NAMES, type AppName, envPrefixOf } from '../src/app-catalogue';

/** The built launcher (`node dist/main.js`) running as a child process, as the README starts it. */
export interface LauncherProcess {
  readonly child: ChildProcess;
  /** Each app's base URL, from the ports the test chose. */
  readonly urls: Readonly<Record<AppName, string>>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the launcher with `env` over the test's own, minus the service URLs, with free HTTP and gRPC ports. */
export async function startLauncher(env: Record<string, string>): Promise<LauncherProcess> {
  const ports = Object.fromEntries(await Promise.all(APP_NAMES.map(async (app) => [app, await freePort()])));
  const portVariables = Object.fromEntries(
    APP_NAMES.map((app) => [`${envPrefixOf(app)}HTTP_PORT`, ports[app] as string]),
  );
  const inherited = { ...process.env };
  for (const name of ['DATABASE_URL', 'NATS_URL', 'REDIS_URL']) delete inherited[name];
  const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'main.js')], {
    env: {
      ...inherited,
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...portVariables,
      API_GRPC_PORT: await freePort(),
      XDS_SERVER_XDS_PORT: await freePort(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const urls = Object.fromEntries(APP_NAMES.map((app) => [app, `http://127.0.0.1:${ports[app]}`]));
  return { child, urls: urls as LauncherProcess['urls'], output: () => output, exited };
}

/**
 * Polls every app's `/readyz` until all answer 200; rejects with the last answers and the launcher's output
 * if that has not happened by `deadline` (a `Date.now()` value) or if the launcher exits first.
 */
export async function waitUntilAllReady(launcher: LauncherProcess, deadline: number): Promise<void> {
  let exited = false;
  void launcher.exited.then(() => (exited = true));
  let answers: string[] = [];
  while (Date.now() < deadline && !exited) {
    answers = await Promise.all(Object.values(launcher.urls).map((url) => readiness(url)));
    if (answers.every((answer) => answer.startsWith('200'))) return;
    await sleep(250);
  }
  throw new Error(
    `not every app was ready (${exited ? 'the launcher exited' : 'deadline passed'}): ${answers.join(', ')}\n` +
      `launcher output:\n${launcher.output()}`,
  );
}

async function readiness(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
    return `${response.status} ${url}`;
  } catch {
    return `unreachable ${url}`;
  }
}
