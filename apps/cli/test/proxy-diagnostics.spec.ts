import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrap } from '../src/bootstrap';
import { EXIT_REQUEST_FAILED, EXIT_USAGE } from '../src/exit-codes';

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

/**
 * A stand-in for the API's proxy diagnostics routes (the real ones are exercised end to end by the
 * node-agent suite): it records each request and answers as `respond` says.
 */
async function startFakeApi(
  respond: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; server: Server; requests: { url: string; authorization: string }[] }> {
  const requests: { url: string; authorization: string }[] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization ?? '' });
    respond(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, requests };
}

describe('envoy-fleet logs and metrics', () => {
  const servers: Server[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('prints the log as the API streams it, asking for the tail, the follow and the instant given', async () => {
    const api = await startFakeApi((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.write('first line\n');
      setTimeout(() => response.end('second line\n'), 20);
    });
    servers.push(api.server);

    const sut = await run(['logs', 'edge-1', '--follow', '--tail', '5', '--since', '2026-01-31T12:00:00Z'], {
      ENVOY_FLEET_API_URL: api.url,
      ENVOY_FLEET_TOKEN: 'secret-token',
    });

    expect(sut).toEqual({ code: 0, stdout: 'first line\nsecond line\n', stderr: '' });
    expect(api.requests).toEqual([
      {
        url: '/api/v1/proxies/edge-1/logs?tail=5&follow=true&since=2026-01-31T12%3A00%3A00.000Z',
        authorization: 'Bearer secret-token',
      },
    ]);
  });

  it('prints the stats, passing the filter on', async () => {
    const api = await startFakeApi((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end('envoy_server_live{} 1\n');
    });
    servers.push(api.server);

    const sut = await run(['--api-url', api.url, 'metrics', 'edge/1', '--filter', '^envoy_server']);

    expect(sut).toEqual({ code: 0, stdout: 'envoy_server_live{} 1\n', stderr: '' });
    expect(api.requests.map((request) => request.url)).toEqual([
      '/api/v1/proxies/edge%2F1/metrics?filter=%5Eenvoy_server',
    ]);
  });

  it("exits 4 with the API's problem when it cannot answer", async () => {
    const api = await startFakeApi((_, response) => {
      response.writeHead(504, { 'content-type': 'application/problem+json' });
      response.end(
        JSON.stringify({
          type: 'https://envoy-fleet.dev/problems/agent-timeout',
          title: "The proxy's node agent did not answer in time",
          status: 504,
          detail: 'the agent of node n1 did not answer within 15 s',
        }),
      );
    });
    servers.push(api.server);

    const logs = await run(['--api-url', api.url, 'logs', 'edge-1']);
    const metrics = await run(['--api-url', api.url, 'metrics', 'edge-1']);

    for (const sut of [logs, metrics]) {
      expect(sut.code).toBe(EXIT_REQUEST_FAILED);
      expect(sut.stdout).toBe('');
      expect(sut.stderr).toBe(
        "envoy-fleet: the API answered 504: The proxy's node agent did not answer in time: the agent of node n1 did not answer within 15 s\n",
      );
    }
  });

  it('rejects a wrong --tail or --since, or a missing node id, before sending anything', async () => {
    const tail = await run(['logs', 'edge-1', '--tail', 'lots']);
    const since = await run(['logs', 'edge-1', '--since', 'yesterday']);
    const missing = await run(['metrics']);

    expect(tail.code).toBe(EXIT_USAGE);
    expect(tail.stderr).toContain(
      "option '-n, --tail <lines>' argument 'lots' is invalid. expected a whole number from 0 to 10000",
    );
    expect(since.code).toBe(EXIT_USAGE);
    expect(since.stderr).toContain('expected an ISO 8601 instant');
    expect(missing.code).toBe(EXIT_USAGE);
    expect(missing.stderr).toContain("missing required argument 'node_id'");
  });
});
