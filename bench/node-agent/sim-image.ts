import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BENCH_LABEL = 'bench.envoy-fleet.io/run=node-agent';
export const BENCH_IMAGE = 'envoy-fleet-bench/node-agent-sim:1';

/**
 * The image the bench runs in place of Envoy, built from local files as the node-agent suites build
 * theirs (no registry is reachable): the node binary, the libraries `ldd` lists, the envoy-sim bundle.
 * Uses the docker CLI.
 */
export async function importSimImage(): Promise<void> {
  const bundle = join(dirname(require.resolve('@envoy-fleet/envoy-sim')), 'envoy-sim.cjs');
  const node = (await run('sh', ['-c', 'readlink -f "$(command -v node)"'])).stdout.trim();
  const libraries = (await run('ldd', [node])).stdout
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  const app = await mkdtemp(join(tmpdir(), 'bench-sim-image-'));
  try {
    await mkdir(join(app, 'app'));
    await mkdir(join(app, 'tmp'));
    await copyFile(bundle, join(app, 'app', 'envoy-sim.cjs'));
    await writeFile(join(app, 'app', 'entrypoint.js'), "require('/app/envoy-sim.cjs');\n");
    const files = [node, ...libraries].map((path) => path.slice(1));
    const tar = spawn('tar', ['-c', '--dereference', '-C', '/', ...files, '-C', app, 'app', 'tmp'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const docker = spawn(
      'docker',
      [
        'import',
        '--change',
        `ENTRYPOINT ["${node}", "/app/entrypoint.js"]`,
        '--change',
        `LABEL ${BENCH_LABEL}`,
        '-',
        BENCH_IMAGE,
      ],
      { stdio: ['pipe', 'ignore', 'inherit'] },
    );
    tar.stdout.pipe(docker.stdin);
    const code = await new Promise<number | null>((resolve) => docker.once('exit', resolve));
    if (code !== 0) throw new Error(`docker import exited with ${code}`);
  } finally {
    await rm(app, { recursive: true, force: true });
  }
}

/** Removes the bench's containers (by the node label) and its image. */
export async function removeBenchArtifacts(nodeId: string): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=envoy-fleet.node-id=${nodeId}`]);
  const ids = stdout.split('\n').filter((id) => id !== '');
  if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]);
  await run('docker', ['image', 'rm', '-f', BENCH_IMAGE]).catch(() => undefined);
}
