import { execFileSync } from 'node:child_process';
import { runMigrations } from '@envoy-fleet/db';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { type LauncherProcess, startLauncher, waitUntilAllReady } from './launcher-process';

const READY_WITHIN_MS = 60_000;

/** The pid of the launcher's child that runs `app`. */
function childPidOf(launcher: LauncherProcess, app: string): number {
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(launcher.child.pid)], {
    encoding: 'utf8',
  });
  const line = children.split('\n').find((each) => each.includes(`/${app}/dist/main.js`));
  if (line === undefined) throw new Error(`no ${app} process among the launcher's children:\n${children}`);
  return Number(line.trim().split(/\s+/, 1)[0]);
}

describe('the launcher with DATABASE_URL, NATS_URL and REDIS_URL set (one process per app)', () => {
  let database: TestDatabase;
  let nats: PrivateNatsServer;
  let services: Record<string, string>;
  const launchers: LauncherProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'launcher-processes' });
    nats = await startNatsServer();
    services = {
      DATABASE_URL: database.appUrl,
      DATABASE_SYSTEM_URL: database.systemUrl,
      NATS_URL: nats.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueRedisPrefix('launcher-processes'),
    };
  });

  afterAll(async () => {
    for (const launcher of launchers) {
      if (launcher.child.exitCode === null && launcher.child.signalCode === null)
        launcher.child.kill('SIGKILL');
    }
    await nats.dispose();
    await database.drop();
  });

  it(
    'runs the five apps as processes until SIGTERM, then stops them all and exits 0',
    async () => {
      const startedAt = Date.now();
      const launcher = await startLauncher({ ...services, LOG_LEVEL: 'info' });
      launchers.push(launcher);

      await waitUntilAllReady(launcher, startedAt + READY_WITHIN_MS);
      launcher.child.kill('SIGTERM');
      const exit = await launcher.exited;

      expect(exit).toEqual({ code: 0, signal: null });
      expect(launcher.output()).toContain('envoy-fleet is running: one process per app');
      // Each app's lines are forwarded with its name in front.
      expect(launcher.output()).toContain(`${'api'.padEnd(18)} | {"level":"info"`);
      expect(launcher.output()).toContain(`${'node-agent'.padEnd(18)} | {"level":"info"`);
    },
    READY_WITHIN_MS + 30_000,
  );

  it(
    'stops everything and exits non-zero when one app dies, restarting nothing',
    async () => {
      const startedAt = Date.now();
      const launcher = await startLauncher(services);
      launchers.push(launcher);
      await waitUntilAllReady(launcher, startedAt + READY_WITHIN_MS);

      process.kill(childPidOf(launcher, 'node-agent'), 'SIGKILL');
      const exit = await launcher.exited;

      expect(exit).toEqual({ code: 1, signal: null });
      expect(launcher.output()).toContain(
        'envoy-fleet: stopped: node-agent exited (SIGKILL); the other apps are being stopped',
      );
    },
    READY_WITHIN_MS + 30_000,
  );

  it('refuses to start with only some of the service URLs, naming the missing ones', async () => {
    const launcher = await startLauncher({ NATS_URL: nats.url });
    launchers.push(launcher);

    const exit = await launcher.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(launcher.output()).toContain(
      'envoy-fleet: cannot start: invalid environment: DATABASE_URL: required because NATS_URL is set',
    );
    expect(launcher.output()).toContain('REDIS_URL: required because NATS_URL is set');
  });
});
