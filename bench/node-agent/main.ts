import { benchArguments, positiveInteger, runBench, withUsage } from '../support/cli';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type {
  AgentCommandKind,
  AgentCommandPayloadInputs,
  AgentCommandResult,
  ContainerStateChange,
  NodeHeartbeat,
} from '@envoy-fleet/domain';
import { JetStreamEventBus } from '@envoy-fleet/messaging';
import { startNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type AppProcess, startApp } from '@envoy-fleet/test-kit/stack';
import { processUsage } from '../xds/process-usage';
import { BENCH_IMAGE, importSimImage, removeBenchArtifacts } from './sim-image';

/**
 * `pnpm --filter @envoy-fleet/bench run node-agent [-- --containers 50 --out results/node-agent.json]`
 *
 * A real node-agent process on the machine's Docker engine and a private NATS. Sends one `create` per
 * container at once (the agent runs them one after another, as its command stream is ordered) and
 * measures the time until every result is in, until Docker reported every container started, and until
 * every simulated Envoy's admin port answers; then the agent's own memory and CPU with the containers
 * running (heartbeats sample each container's stats), and the time to remove them all.
 */

const USAGE = 'node-agent [--containers 50] [--timeout-s 900] [--out FILE]';
const MIB = 1024 ** 2;
const HEARTBEAT_MS = 2_000;
const LOADED_HEARTBEATS = 5;

interface Options {
  readonly containers: number;
  readonly timeoutMs: number;
  readonly out: string;
}

function parseOptions(): Options {
  return withUsage(USAGE, () => {
    const { values } = parseArgs({
      args: benchArguments(),
      options: {
        containers: { type: 'string', default: '50' },
        'timeout-s': { type: 'string', default: '900' },
        out: { type: 'string', default: 'results/node-agent.json' },
      },
    });
    return {
      containers: positiveInteger('containers', values.containers),
      timeoutMs: positiveInteger('timeout-s', values['timeout-s']) * 1000,
      out: resolve(__dirname, '..', '..', values.out),
    };
  });
}

async function until<T>(
  what: string,
  deadline: number,
  find: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function adminAnswers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const mib = (bytes: number): number => Math.round((bytes / MIB) * 10) / 10;

async function main(): Promise<void> {
  const options = parseOptions();
  const deadline = Date.now() + options.timeoutMs;
  const nodeId = randomUUID();
  const loadAverageAtStart = loadavg();
  say(`node-agent bench: ${options.containers} containers, node ${nodeId}`);
  await importSimImage();
  const nats = await startNatsServer();
  const bus = JetStreamEventBus.create({ servers: nats.url, name: 'node-agent-bench' });
  let agent: AppProcess<'node-agent'> | undefined;
  try {
    await bus.provisionStreams();
    const results = new Map<string, AgentCommandResult>();
    const started = new Map<string, ContainerStateChange>();
    const heartbeats: NodeHeartbeat[] = [];
    let registered = false;
    await bus.consume({
      durable: `node-agent-bench-${randomUUID()}`,
      subject: 'events.agent.>',
      handler: (event) => {
        if (event.type === 'agent.registered') registered = true;
        if (event.type === 'agent.command.completed') results.set(event.payload.commandId, event.payload);
        if (
          event.type === 'agent.container.changed' &&
          event.payload.change === 'start' &&
          event.payload.proxyId
        ) {
          started.set(event.payload.proxyId, event.payload);
        }
        return Promise.resolve();
      },
    });
    await bus.subscribe('agent.heartbeat', (event) => {
      heartbeats.push(event.payload);
      return Promise.resolve();
    });
    const send = async <K extends AgentCommandKind>(
      kind: K,
      payload: AgentCommandPayloadInputs[K],
    ): Promise<string> => {
      const id = randomUUID();
      await bus.sendCommand(nodeId, { id, kind, payload, issuedAt: new Date().toISOString() });
      return id;
    };

    agent = await startApp('node-agent', {
      NODE_ID: nodeId,
      NATS_URL: nats.url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      LOG_LEVEL: 'warn',
      AGENT_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
    });
    const pid = agent.pid;
    await until('the registration', deadline, () => (registered ? true : undefined));
    await sleep(HEARTBEAT_MS * 2);
    const idle = processUsage(pid);

    const specs = await Promise.all(
      Array.from({ length: options.containers }, async (_, index) => ({
        proxyId: randomUUID(),
        tenantId: randomUUID(),
        xdsNodeId: `bench-${index + 1}`,
        groupName: 'bench',
        ordinal: index + 1,
        image: BENCH_IMAGE,
        proxyPort: Number(await freePort()),
        adminPort: Number(await freePort()),
        xds: { host: '127.0.0.1', port: Number(await freePort()) },
        resources: { memoryMib: 128, cpuMillicores: 250 },
      })),
    );
    const beforeStart = processUsage(pid);
    const t0 = performance.now();
    const commandIds = await Promise.all(specs.map((spec) => send('create', spec)));
    await until('every create result', deadline, () =>
      commandIds.every((id) => results.has(id)) ? true : undefined,
    );
    const msToResults = performance.now() - t0;
    const failed = commandIds.map((id) => results.get(id)).filter((result) => result?.ok === false);
    if (failed.length > 0) throw new Error(`${failed.length} creates failed: ${JSON.stringify(failed[0])}`);
    await until('every start event', deadline, () =>
      specs.every((spec) => started.has(spec.proxyId)) ? true : undefined,
    );
    const msToStartEvents = performance.now() - t0;
    await until('every admin port', deadline, async () =>
      (await Promise.all(specs.map((spec) => adminAnswers(spec.adminPort)))).every(Boolean)
        ? true
        : undefined,
    );
    const msToAdminAnswering = performance.now() - t0;
    const afterStart = processUsage(pid);
    const loadedFrom = performance.now();

    const beatsBefore = heartbeats.length;
    await until(`${LOADED_HEARTBEATS} heartbeats with every container`, deadline, () =>
      heartbeats.slice(beatsBefore).filter((beat) => beat.containers.length >= options.containers).length >=
      LOADED_HEARTBEATS
        ? true
        : undefined,
    );
    const loaded = processUsage(pid);
    const loadedSeconds = (performance.now() - loadedFrom) / 1000;

    const t1 = performance.now();
    const removeIds = await Promise.all(
      specs.map((spec) => send('remove', { proxyId: spec.proxyId, graceSeconds: 10 })),
    );
    await until('every remove result', deadline, () =>
      removeIds.every((id) => results.has(id)) ? true : undefined,
    );
    const msToRemoveAll = performance.now() - t1;

    const result = {
      containers: options.containers,
      machine: { cpus: cpus().length, memoryMib: mib(totalmem()), loadAverageAtStart },
      start: {
        msToAllResults: Math.round(msToResults),
        msToAllStartEvents: Math.round(msToStartEvents),
        msToAllAdminPortsAnswering: Math.round(msToAdminAnswering),
        agentCpuSeconds: Math.round((afterStart.cpuSeconds - beforeStart.cpuSeconds) * 100) / 100,
      },
      removeAll: { msToAllResults: Math.round(msToRemoveAll) },
      agent: {
        idleRssMib: mib(idle.rssBytes),
        rssWithContainersMib: mib(loaded.rssBytes),
        peakRssMib: mib(loaded.peakRssBytes),
        /** CPU seconds per second while it heartbeats (stats of every container) and probes them. */
        cpuShareWithContainers:
          Math.round(((loaded.cpuSeconds - afterStart.cpuSeconds) / loadedSeconds) * 1000) / 1000,
      },
    };
    say(JSON.stringify(result, null, 2));
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, `${JSON.stringify(result, null, 2)}\n`);
    say(`written to ${options.out}`);
  } finally {
    await agent?.stop();
    await bus.close();
    await nats.dispose();
    await removeBenchArtifacts(nodeId);
  }
}

runBench(main);
