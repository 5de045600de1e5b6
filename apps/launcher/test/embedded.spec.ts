import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type LauncherProcess, startLauncher, waitUntilAllReady } from './launcher-process';

/** The promise: every app's /readyz answers 200 within 60 s of the start command. */
const READY_WITHIN_MS = 60_000;

describe('the launcher with no DATABASE_URL, NATS_URL or REDIS_URL (embedded)', () => {
  let workDir: string;
  let launcher: LauncherProcess;
  let startedAt: number;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'envoy-fleet-embedded-'));
    // As root, PostgreSQL runs as the postgres user, which must be able to reach its data directory.
    await chmod(workDir, 0o755);
    startedAt = Date.now();
    launcher = await startLauncher({
      EMBEDDED_PG_DATA_DIR: join(workDir, 'postgres'),
      EMBEDDED_PG_PORT: await freePort(),
    });
  });

  afterAll(async () => {
    if (launcher.child.exitCode === null && launcher.child.signalCode === null)
      launcher.child.kill('SIGKILL');
    await rm(workDir, { recursive: true, force: true });
  });

  it(
    'serves /readyz = 200 from all five apps within 60 s, and says where they listen',
    async () => {
      await waitUntilAllReady(launcher, startedAt + READY_WITHIN_MS);

      expect(launcher.output()).toContain(`${launcher.urls.api}/api/v1`);
      expect(launcher.output()).toContain(`${launcher.urls.api}/api/docs`);
      expect(launcher.output()).toContain('xDS (ADS over gRPC)');
      expect(launcher.output()).toMatch(/gRPC API\s+127\.0\.0\.1:\d+/);
      expect(launcher.output()).toContain(`node-agent          ${launcher.urls['node-agent']}/healthz`);
    },
    READY_WITHIN_MS + 10_000,
  );

  it('stops the apps and PostgreSQL on SIGTERM and exits 0', async () => {
    launcher.child.kill('SIGTERM');
    const exit = await launcher.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    await expect(stat(join(workDir, 'postgres', 'postmaster.pid'))).rejects.toThrow('ENOENT');
  }, 60_000);
});
