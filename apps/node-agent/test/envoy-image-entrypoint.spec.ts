import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './support/fake-fleet-manager';

const IMAGE_DIR = resolve(__dirname, '..', '..', '..', 'deploy', 'envoy');

/** Stands in for Envoy: validation passes, a run prints its arguments and exits 0 on SIGTERM. */
const FAKE_ENVOY = `#!/usr/bin/env bash
if [[ $1 == --mode ]]; then exit 0; fi
echo "envoy $*"
trap 'echo "envoy: SIGTERM"; exit 0' TERM
while true; do sleep 0.05; done
`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('deploy/envoy entrypoint.sh', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'envoy-entrypoint-'));
    await writeFile(join(dir, 'envoy'), FAKE_ENVOY);
    await chmod(join(dir, 'envoy'), 0o755);
    await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map((file) => writeFile(join(dir, file), 'pem')));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the entrypoint with `env`; with `terminate`, sends SIGTERM once Envoy runs. */
  function entrypoint(env: Record<string, string>, terminate = false): Promise<Run> {
    const child = spawn('bash', [join(IMAGE_DIR, 'entrypoint.sh')], {
      env: {
        PATH: process.env.PATH,
        ENVOY_BIN: join(dir, 'envoy'),
        BOOTSTRAP_TEMPLATE: join(IMAGE_DIR, 'bootstrap.yaml.tmpl'),
        BOOTSTRAP_PATH: join(dir, 'bootstrap.yaml'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    if (terminate) {
      void waitFor('Envoy to start', () => (stdout.includes('envoy -c') ? true : undefined)).then(() =>
        child.kill('SIGTERM'),
      );
    }
    return exited.then((code) => ({ code, stdout, stderr }));
  }

  it('renders the bootstrap with the admin on loopback and no TLS, runs Envoy, and drains it on SIGTERM', async () => {
    const run = await entrypoint(
      {
        NODE_ID: 'edge-001',
        CLUSTER_NAME: 'edge',
        CONTROL_PLANE_HOST: 'xds.internal',
        ADMIN_PORT: '20001',
        ZONE: 'eu-1a',
        DRAIN_SECONDS: '0',
      },
      true,
    );
    const bootstrap = await readFile(join(dir, 'bootstrap.yaml'), 'utf8');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('envoy -c');
    expect(run.stdout).toContain('--service-node edge-001');
    expect(run.stdout).toContain('draining listeners for 0s');
    expect(run.stdout).toContain('envoy: SIGTERM');
    expect(bootstrap).toContain('id: "edge-001"');
    expect(bootstrap).toContain('cluster: "edge"');
    expect(bootstrap).toContain('zone: "eu-1a"');
    expect(bootstrap).toMatch(/address: "127\.0\.0\.1"\s+port_value: 20001/);
    expect(bootstrap).toMatch(/address: "xds\.internal"\s+port_value: 18000/);
    expect(bootstrap).not.toContain('transport_socket');
    expect(bootstrap).not.toContain('${');
  });

  it('adds mTLS to the xDS server when given the certificate files', async () => {
    const run = await entrypoint({
      NODE_ID: 'edge-002',
      CONTROL_PLANE_HOST: 'xds.internal',
      XDS_TLS_CA_FILE: join(dir, 'ca.pem'),
      XDS_TLS_CERT_FILE: join(dir, 'cert.pem'),
      XDS_TLS_KEY_FILE: join(dir, 'key.pem'),
      ENVOY_BIN: '/bin/false',
    });
    const bootstrap = await readFile(join(dir, 'bootstrap.yaml'), 'utf8');

    // /bin/false as Envoy: the bootstrap is rendered, and a failed validation stops the start.
    expect(run.code).toBe(65);
    expect(run.stderr).toContain('is not valid');
    expect(bootstrap).toContain('envoy.transport_sockets.tls');
    expect(bootstrap).toContain('sni: "xds.internal"');
    expect(bootstrap).toContain(`filename: "${join(dir, 'cert.pem')}"`);
    expect(bootstrap).toContain(`filename: "${join(dir, 'ca.pem')}"`);
  });

  it('names every missing or wrong variable and does not start', async () => {
    const run = await entrypoint({
      ADMIN_PORT: '70000',
      XDS_TLS_CERT_FILE: '/missing/cert.pem',
      LOG_LEVEL: 'loud',
    });

    expect(run.code).toBe(64);
    expect(run.stderr.trim().split('\n')).toEqual([
      "envoy-fleet entrypoint: NODE_ID is required (Envoy's node.id, as the control plane knows the proxy)",
      'envoy-fleet entrypoint: CONTROL_PLANE_HOST is required (host name or address of the xDS server)',
      'envoy-fleet entrypoint: ADMIN_PORT must be a port number (1-65535), got "70000"',
      'envoy-fleet entrypoint: LOG_LEVEL must be one of trace, debug, info, warning, error, critical, off, got "loud"',
      'envoy-fleet entrypoint: XDS_TLS_CERT_FILE and XDS_TLS_KEY_FILE go together (mTLS to the xDS server)',
      'envoy-fleet entrypoint: XDS_TLS_CA_FILE is required with a client certificate (to verify the xDS server)',
      'envoy-fleet entrypoint: cannot read /missing/cert.pem (mount the certificates, e.g. at /etc/envoy/certs)',
    ]);
  });
});
