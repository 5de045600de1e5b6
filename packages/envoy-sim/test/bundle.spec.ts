import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLUSTER_TYPE, ENDPOINT_TYPE } from '../src/xds/xds-types';
import { AdsTestPeer } from './ads-test-peer';
import { any, cluster } from './resources';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');

/** The single-file bundle is what the node-agent's image carries: it must run from an empty directory. */
describe('envoy-sim.cjs bundle', () => {
  let bundle: string;
  let peer: AdsTestPeer;

  beforeAll(async () => {
    const buildDir = mkdtempSync(join(tmpdir(), 'envoy-sim-build-'));
    await run(process.execPath, [join(packageDir, 'scripts', 'bundle.mjs'), join(buildDir, 'envoy-sim.cjs')]);
    // Alone in an empty directory: no node_modules to fall back on.
    const emptyDir = mkdtempSync(join(tmpdir(), 'envoy-sim-run-'));
    bundle = join(emptyDir, 'envoy-sim.cjs');
    copyFileSync(join(buildDir, 'envoy-sim.cjs'), bundle);
    peer = await AdsTestPeer.start();
  }, 60_000);

  afterAll(() => peer.stop());

  it('prints its usage', async () => {
    const { stdout } = await run(process.execPath, [bundle, '--help'], { cwd: join(bundle, '..'), env: {} });
    expect(stdout).toContain('Usage: envoy-sim [options]');
  });

  it('connects, decodes with the embedded Envoy descriptors and asks EDS for the new cluster', async () => {
    const child = spawn(process.execPath, [bundle, '--log-level', 'off'], {
      cwd: join(bundle, '..'),
      env: { NODE_ID: 'bundled', CONTROL_PLANE_HOST: '127.0.0.1', CONTROL_PLANE_PORT: String(peer.port) },
      stdio: 'ignore',
    });
    try {
      const stream = await peer.sotwStream(0, 10_000);
      expect((await stream.nextRequest(10_000)).node?.id).toBe('bundled');
      stream.send({
        versionInfo: 'c1',
        resources: [any('cluster', cluster('backend'))],
        canary: false,
        typeUrl: CLUSTER_TYPE,
        nonce: 'n1',
        controlPlane: undefined,
      });
      expect(await stream.nextRequest(10_000)).toMatchObject({
        typeUrl: ENDPOINT_TYPE,
        resourceNames: ['backend'],
      });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await expect(exited).resolves.toBe(0);
    }
  });
});
