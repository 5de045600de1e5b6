import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

/** Every image and container the suites create carries this label, so that teardown finds them all. */
export const TEST_LABEL_KEY = 'test.envoy-fleet.io/suite';
export const TEST_LABEL_VALUE = 'node-agent';
/** The envoy-sim image the suites run in place of Envoy. */
export const TEST_IMAGE = 'envoy-fleet-test/node-agent-sim:1';
/** The same image under a second tag, for image updates. */
export const TEST_IMAGE_V2 = 'envoy-fleet-test/node-agent-sim:2';

const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');
const BUNDLE = join(REPOSITORY_ROOT, 'packages', 'envoy-sim', 'dist', 'envoy-sim.cjs');
const run = promisify(execFile);

/**
 * The container's entrypoint: envoy-sim, configured by the same variables as the Envoy image. For
 * the OOM and crash cases, SIM_ALLOCATE_MIB makes it allocate that much memory instead.
 */
const ENTRYPOINT = `
const allocate = Number(process.env.SIM_ALLOCATE_MIB || 0);
console.log('sim-image: starting ' + (process.env.NODE_ID || '?'));
process.on('SIGTERM', () => console.log('sim-image: SIGTERM'));
if (allocate > 0) {
  const chunks = [];
  for (let i = 0; i < allocate; i += 1) chunks.push(Buffer.alloc(1024 * 1024, 1));
  console.log('sim-image: allocated ' + chunks.length + ' MiB');
  setInterval(() => undefined, 1000);
} else {
  require('/app/envoy-sim.cjs');
}
`;

export function docker(): Docker {
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

/**
 * Builds the image from local files once per test run: a root file system holding the node binary,
 * the libraries `ldd` lists for it, the envoy-sim bundle and the entrypoint, imported with
 * `docker import` (no registry is reachable here).
 */
export async function ensureTestImage(): Promise<void> {
  const engine = docker();
  if (!(await hasImage(engine, TEST_IMAGE))) await importImage(engine);
  if (!(await hasImage(engine, TEST_IMAGE_V2))) {
    const [repo, tag] = TEST_IMAGE_V2.split(':') as [string, string];
    await engine.getImage(TEST_IMAGE).tag({ repo, tag });
  }
}

/** Removes the containers of one node (a suite's), whatever state the suite left them in. */
export async function removeNodeContainers(nodeId: string): Promise<void> {
  const engine = docker();
  const containers = await engine.listContainers({
    all: true,
    filters: { label: [`envoy-fleet.node-id=${nodeId}`] },
  });
  await Promise.all(containers.map((container) => engine.getContainer(container.Id).remove({ force: true })));
}

/** Removes every container and image the suites created. */
export async function removeTestArtifacts(): Promise<void> {
  const engine = docker();
  const containers = await engine.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL_KEY}=${TEST_LABEL_VALUE}`] },
  });
  await Promise.all(containers.map((container) => engine.getContainer(container.Id).remove({ force: true })));
  for (const image of [TEST_IMAGE_V2, TEST_IMAGE]) {
    if (await hasImage(engine, image)) await engine.getImage(image).remove({ force: true });
  }
}

async function hasImage(engine: Docker, reference: string): Promise<boolean> {
  try {
    await engine.getImage(reference).inspect();
    return true;
  } catch {
    return false;
  }
}

async function importImage(engine: Docker): Promise<void> {
  if (!existsSync(BUNDLE)) {
    await run('pnpm', ['--filter', '@envoy-fleet/envoy-sim', 'build'], { cwd: REPOSITORY_ROOT });
  }
  const node = (await run('sh', ['-c', 'readlink -f "$(command -v node)"'])).stdout.trim();
  const libraries = (await run('ldd', [node])).stdout
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  const app = await mkdtemp(join(tmpdir(), 'node-agent-sim-image-'));
  try {
    await mkdir(join(app, 'app'));
    await mkdir(join(app, 'tmp'));
    await copyFile(BUNDLE, join(app, 'app', 'envoy-sim.cjs'));
    await writeFile(join(app, 'app', 'entrypoint.js'), ENTRYPOINT);
    // Host files by their absolute paths (following symbolic links), then the app directory.
    const tar = spawn(
      'tar',
      [
        '-c',
        '--dereference',
        '-C',
        '/',
        ...[node, ...libraries].map((path) => path.slice(1)),
        '-C',
        app,
        'app',
        'tmp',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [repo, tag] = TEST_IMAGE.split(':') as [string, string];
    const output = await engine.importImage(tar.stdout, {
      repo,
      tag,
      changes: [
        `ENTRYPOINT ["${node}", "/app/entrypoint.js"]`,
        `LABEL ${TEST_LABEL_KEY}=${TEST_LABEL_VALUE}`,
      ],
    });
    await new Promise<void>((done, fail) => {
      engine.modem.followProgress(output, (error: Error | null, lines: { error?: string }[]) => {
        const failed = error?.message ?? lines.find((line) => line.error !== undefined)?.error;
        if (failed === undefined) done();
        else fail(new Error(`docker import failed: ${failed}`));
      });
    });
  } finally {
    await rm(app, { recursive: true, force: true });
  }
}
