import { execFile, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LogChunk } from '@envoy-fleet/domain';
import { runMigrations } from '@envoy-fleet/db';
import { JetStreamEventBus, type Subscription } from '@envoy-fleet/messaging';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type AppProcess, type RunningStack, startApp, startStack } from '@envoy-fleet/test-kit/stack';
import { uniqueGroup } from './support/agent-fixture';
import { docker, removeNodeContainers, TEST_IMAGE } from './support/test-image';

const CLI = resolve(__dirname, '..', '..', 'cli', 'dist', 'main.js');
const WAIT_MS = 90_000;
const run = promisify(execFile);

interface ProxyView {
  nodeId: string;
  containerId: string | null;
  containerName: string;
  status: string;
}

/**
 * Logs and stats on demand, end to end with every part its own process: the api, fleet-manager and
 * xds-server of a stack, a real node-agent on the machine's Docker engine running an envoy-sim
 * container, and the CLI. The agent has no inbound port: the api reaches the container over NATS.
 */
describe('proxy logs and metrics through the api and the CLI', () => {
  const groupName = uniqueGroup();
  let stack: RunningStack;
  let agent: AppProcess<'node-agent'> | undefined;
  let bus: JetStreamEventBus;
  let chunks: Subscription;
  const seenChunks: LogChunk[] = [];
  let vmId: string | undefined;
  let proxy: ProxyView;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await stack.api(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  /** Polls `observe` until `done` holds; a time-out shows the last observation and every log, the agent's too. */
  const until = <T>(what: string, observe: () => Promise<T>, done: (seen: T) => boolean): Promise<T> =>
    stack.until(what, observe, done, { timeoutMs: WAIT_MS, alsoShow: agent === undefined ? [] : [agent] });

  /** Writes a line to the container's stdout from inside it, as Envoy would log one. */
  const writeLogLine = async (text: string): Promise<void> => {
    // The image's node binary sits at the host's path; PID 1 is Docker's init, whose stdout is the log.
    const node = realpathSync(process.execPath);
    await run('docker', [
      'exec',
      proxy.containerName,
      node,
      '-e',
      `require('fs').appendFileSync('/proc/1/fd/1', ${JSON.stringify(`${text}\n`)})`,
    ]);
  };

  const cliEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    ENVOY_FLEET_API_URL: stack.apiUrl,
    ENVOY_FLEET_TOKEN: stack.adminToken,
  });

  beforeAll(async () => {
    stack = await startStack({
      migrate: runMigrations,
      label: 'node-agent-diagnostics',
      env: { 'fleet-manager': { FLEET_PROXY_IMAGE: TEST_IMAGE, FLEET_STOP_GRACE_SECONDS: '5' } },
    });
    bus = JetStreamEventBus.create({
      servers: stack.natsUrl,
      name: 'diagnostics-suite',
      namespace: stack.natsNamespace,
    });
    chunks = await bus.subscribe('agent.logs', (event) => {
      seenChunks.push(event.payload);
      return Promise.resolve();
    });
    const node = await call<{ id: string }>('POST', '/api/v1/nodes', {
      hostname: `vm-${groupName}`,
      capacity: { cpuMillicores: 4_000, memoryMib: 4_096 },
    });
    vmId = node.id;
    const group = await call<{ id: string }>('POST', '/api/v1/proxy-groups', { name: groupName });
    agent = await startApp('node-agent', {
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      NODE_ID: node.id,
      NATS_URL: stack.natsUrl,
      NATS_NAMESPACE: stack.natsNamespace,
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      AGENT_HEARTBEAT_INTERVAL_MS: '1000',
      AGENT_PROBE_INTERVAL_MS: '1000',
    });
    await until(
      'the VM to be ready once its agent registered',
      () => call<{ status: string }>('GET', `/api/v1/nodes/${node.id}`),
      (seen) => seen.status === 'ready',
    );
    await call('POST', `/api/v1/proxy-groups/${group.id}/scale`, { replicas: 1 });
    const [running] = await until(
      'the proxy to run',
      async () => (await call<{ items: ProxyView[] }>('GET', `/api/v1/proxies?vmId=${node.id}`)).items,
      (proxies) => proxies.length === 1 && proxies[0]?.status === 'running',
    );
    proxy = running as ProxyView;
  }, 240_000);

  afterAll(async () => {
    await chunks?.stop();
    await bus?.close();
    await agent?.stop();
    if (vmId !== undefined) await removeNodeContainers(vmId);
    await stack?.stop();
  }, 60_000);

  it("returns the tail of the container's log through the api and the CLI", async () => {
    const response = await stack.api(
      'GET',
      `/api/v1/proxies/${encodeURIComponent(proxy.nodeId)}/logs?tail=50`,
    );
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toContain(`sim-image: starting ${proxy.nodeId}\n`);

    const cli = await run('node', [CLI, 'logs', proxy.nodeId, '--tail', '50'], { env: cliEnv() });
    expect(cli.stdout).toContain(`sim-image: starting ${proxy.nodeId}\n`);
  });

  it('follows the log through the api: a line written after the follow began arrives, and leaving ends the agent stream', async () => {
    const abort = new AbortController();
    const response = await fetch(
      `${stack.apiUrl}/api/v1/proxies/${encodeURIComponent(proxy.nodeId)}/logs?follow=true&tail=0`,
      { headers: { authorization: `Bearer ${stack.adminToken}` }, signal: abort.signal },
    );
    expect(response.status).toBe(200);
    const marker = `followed-line-${Date.now()}`;

    await writeLogLine(marker);

    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(`${marker}\n`)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the followed stream ended before the new line: ${text}`);
      text += Buffer.from(value).toString('utf8');
    }
    const followed = seenChunks.find((chunk) => chunk.lines.some((line) => line.text === marker));
    expect(followed?.end).toBe(false);

    abort.abort();

    // The api sent stop-logs: the agent closed the stream with its last chunk while the container runs on.
    await until(
      'the agent to end the followed stream',
      () => Promise.resolve(seenChunks.filter((chunk) => chunk.commandId === followed?.commandId)),
      (ofCommand) => ofCommand.some((chunk) => chunk.end),
    );
    expect((await docker().getContainer(proxy.containerName).inspect()).State.Running).toBe(true);
  });

  it('follows the log through the CLI until it is interrupted', async () => {
    const cli = spawn('node', [CLI, 'logs', proxy.nodeId, '--follow', '--tail', '1'], { env: cliEnv() });
    let stdout = '';
    cli.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    let stderr = '';
    cli.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    const marker = `cli-followed-line-${Date.now()}`;
    // The last line already written comes first: the follow is open.
    await until(
      "the CLI's follow to print the last line",
      () => Promise.resolve({ stdout, stderr }),
      (seen) => seen.stdout !== '' || seen.stderr !== '',
    );
    expect(stderr).toBe('');

    await writeLogLine(marker);

    await until(
      'the new line on the CLI',
      () => Promise.resolve(stdout),
      (seen) => seen.includes(`${marker}\n`) || stderr !== '',
    );
    expect(stderr).toBe('');
    cli.kill('SIGINT');
    await exited;
  });

  it("returns the proxy's Envoy stats in Prometheus text through the api and the CLI", async () => {
    const path = `/api/v1/proxies/${encodeURIComponent(proxy.nodeId)}/metrics`;
    const all = await stack.api('GET', path);
    const filtered = await stack.api('GET', `${path}?filter=${encodeURIComponent('^envoy_server_')}`);

    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const stats = await all.text();
    // The simulated Envoy's own stats: it dials the xds-server, which has no config for it.
    expect(stats).toMatch(/^# TYPE envoy_server_state gauge\nenvoy_server_state \d+$/m);
    expect(stats).toMatch(/^envoy_cluster_manager_cds_update_attempt [1-9]\d*$/m);
    const serverOnly = (await filtered.text())
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(serverOnly.length).toBeGreaterThan(0);
    expect(serverOnly.every((line) => line.startsWith('envoy_server_'))).toBe(true);

    const cli = await run('node', [CLI, 'metrics', proxy.nodeId, '--filter', '^envoy_server_live$'], {
      env: cliEnv(),
    });
    expect(cli.stdout).toMatch(/^envoy_server_live \d+$/m);
    expect(cli.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('#'))).toHaveLength(1);
  });

  it('names the problem when the proxy is not known (404) in the CLI and the api', async () => {
    const response = await stack.api('GET', '/api/v1/proxies/nobody-here/metrics');
    expect(response.status).toBe(404);

    const cli = await run('node', [CLI, 'logs', 'nobody-here'], { env: cliEnv() }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(cli).toMatchObject({ code: 4 });
    expect((cli as { stderr: string }).stderr).toContain('the API answered 404');
  });
});
