import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrap } from '../src/bootstrap';
import { EXIT_UNREACHABLE, EXIT_USAGE } from '../src/exit-codes';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await bootstrap(argv, {
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

/** A stand-in for the API's probe endpoints; records the authorization header it was sent. */
async function startFakeApi(
  ready: boolean,
): Promise<{ url: string; server: Server; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization ?? '');
    response.setHeader('content-type', 'application/json');
    if (request.url === '/healthz') {
      response.end(JSON.stringify({ status: 'ok' }));
    } else if (request.url === '/readyz') {
      response.statusCode = ready ? 200 : 503;
      const checks = ready
        ? { postgres: { status: 'up' } }
        : { postgres: { status: 'down', error: 'password authentication failed' } };
      response.end(JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, authorizations };
}

describe('envoy-fleet status', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('prints the checks and exits 0 when the API is ready, sending the token', async () => {
    const api = await startFakeApi(true);
    servers.push(api.server);

    const sut = await run(['status'], { ENVOY_FLEET_API_URL: api.url, ENVOY_FLEET_TOKEN: 'secret-token' });

    expect(sut.code).toBe(0);
    expect(sut.stdout).toContain('readiness   ready   HTTP 200');
    expect(sut.stdout).toContain('  postgres  up');
    expect(sut.stdout).toContain(`envoy-fleet API at ${api.url} is ready`);
    expect(api.authorizations).toEqual(['Bearer secret-token', 'Bearer secret-token']);
  });

  it('exits 1 and shows the failing check when the API is not ready', async () => {
    const api = await startFakeApi(false);
    servers.push(api.server);

    const sut = await run(['--api-url', api.url, 'status']);

    expect(sut.code).toBe(1);
    expect(sut.stdout).toContain('password authentication failed');
    expect(sut.stdout).toContain('is NOT ready');
  });

  it('says clearly when nothing answers', async () => {
    const closed = await startFakeApi(true);
    await new Promise((resolve) => closed.server.close(resolve));

    const sut = await run(['status'], { ENVOY_FLEET_API_URL: closed.url });

    expect(sut.code).toBe(EXIT_UNREACHABLE);
    expect(sut.stderr).toContain(`cannot reach the envoy-fleet API at ${closed.url}: connect ECONNREFUSED`);
    expect(sut.stderr).toContain('Is the API running?');
  });
});

describe('envoy-fleet arguments', () => {
  it('prints its version', async () => {
    const sut = await run(['--version']);

    expect(sut.code).toBe(0);
    expect(sut.stdout).toBe('0.0.0\n');
  });

  it('rejects an unknown command or option as wrong usage', async () => {
    expect((await run(['launch-rockets'])).code).toBe(EXIT_USAGE);
    const unknownOption = await run(['status', '--colour']);
    expect(unknownOption.code).toBe(EXIT_USAGE);
    expect(unknownOption.stderr).toContain("unknown option '--colour'");
  });

  it('rejects a wrong API URL before sending anything', async () => {
    const sut = await run(['status'], { ENVOY_FLEET_API_URL: 'localhost:8080' });

    expect(sut.code).toBe(EXIT_USAGE);
    expect(sut.stderr).toBe(
      'envoy-fleet: ENVOY_FLEET_API_URL: expected an http:// or https:// URL, got "localhost:8080"\n',
    );
  });
});
