import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type LauncherProcess, startLauncher, waitUntilAllReady } from './launcher-process';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
const SECTION = '## Quickstart: a config from the api to a proxy, and back';
const START_BLOCK = /^export FLEET_BOOTSTRAP_TOKEN=(\S+)\nnpm start\n$/;

/** The `sh` blocks of the README's quickstart section, in order. */
function quickstartBlocks(): string[] {
  const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`${SECTION}\n`);
  if (start === -1) throw new Error(`README.md has no section "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/**
 * Runs the README's quickstart as a reader would: its first block starts the product on the embedded
 * default (`npm start` builds, then runs the launcher: here the launcher turbo built before the tests,
 * on a fresh data directory and free ports), and every other block runs, unchanged and in order, in one
 * bash with `set -euo pipefail` at the repository root, pointed at those ports through the variables the
 * README names (ENVOY_FLEET_API_URL, CONTROL_PLANE_PORT). The blocks assert with `jq -e` and `until`.
 */
describe('the README quickstart', () => {
  let workDir: string;
  let launcher: LauncherProcess | undefined;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'envoy-fleet-quickstart-'));
    await chmod(workDir, 0o755);
  });

  afterAll(async () => {
    if (launcher !== undefined && launcher.child.exitCode === null && launcher.child.signalCode === null) {
      launcher.child.kill('SIGTERM');
      await launcher.exited;
    }
    await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  it('works: SYNCED, a route change ACKed, a NACK with the proxy’s message, SYNCED after a rollback', async () => {
    const [startBlock = '', ...commands] = quickstartBlocks();
    const token = START_BLOCK.exec(startBlock)?.[1];
    expect(token).toBeDefined();
    expect(commands.length).toBeGreaterThanOrEqual(4);
    const xdsPort = await freePort();
    launcher = await startLauncher({
      FLEET_BOOTSTRAP_TOKEN: token ?? '',
      EMBEDDED_PG_DATA_DIR: join(workDir, 'postgres'),
      EMBEDDED_PG_PORT: await freePort(),
      XDS_SERVER_XDS_PORT: xdsPort,
    });
    await waitUntilAllReady(launcher, Date.now() + 90_000);

    const run = await runBash(['set -euo pipefail', ...commands].join('\n'), {
      ENVOY_FLEET_API_URL: launcher.urls.api,
      CONTROL_PLANE_PORT: xdsPort,
      TMPDIR: workDir,
    });

    expect({ code: run.code, output: run.code === 0 ? '' : `${run.output}\n${launcher.output()}` }).toEqual({
      code: 0,
      output: '',
    });
    expect(run.output).toContain("Didn't find a registered implementation for 'envoy.filters.http.cors'");
    const status = (await (
      await fetch(`${launcher.urls.api}/api/v1/proxies/edge-1/status`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as {
      resources: { listener: { status: string; acked: { configVersion: { number: number } } } };
    };
    expect(status.resources.listener).toMatchObject({
      status: 'SYNCED',
      acked: { configVersion: { number: 4 } },
    });
  }, 300_000);
});

/** Runs `script` in bash in its own process group, which is killed if the script outlives the test. */
function runBash(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
