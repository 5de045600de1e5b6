import { benchArguments, positiveInteger, runBench, withUsage } from '../support/cli';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createEvent } from '@envoy-fleet/domain';
import type { XdsMode } from '@envoy-fleet/envoy-sim';
import { JetStreamEventBus } from '@envoy-fleet/messaging';
import { type PublishedSnapshot, publishSnapshot, RedisSnapshotStore } from '@envoy-fleet/snapshot-store';
import { startNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { type AppProcess, startApp } from '@envoy-fleet/test-kit/stack';
import { buildSnapshot, type ResourceKind, TYPE_URLS } from '@envoy-fleet/xds';
import { CHANGED_TYPES, groupSnapshot, type Revision } from './fleet-config';
import { groupOf, nodeIdOf, servingKeyOfGroup } from './fleet-layout';
import { type LatencySummary, summarize } from './latency-summary';
import { processUsage } from './process-usage';
import { type FromWorker, preciseNow, type ToWorker } from './worker-protocol';

/**
 * `pnpm --filter @envoy-fleet/bench run xds [-- --proxies 1000,10000 --groups 50 --mode sotw
 *  --streams-per-channel 10 --out results/xds.json]`
 *
 * For each fleet size: a private NATS, a key prefix in the local Redis, snapshots published with
 * `publishSnapshot` as fleet-manager does, a real xds-server process, and the simulated fleet in another
 * process. Measures the initial connect storm (fleet start to every proxy LIVE), then a fleet-wide change
 * (new endpoints for a shared service and a new route in every group) from the `snapshot.updated`
 * announcement to each proxy's ACK of both types, and the xds-server's RSS and CPU time.
 */

const USAGE =
  'xds [--proxies 1000,10000] [--groups 50] [--mode sotw|delta] [--streams-per-channel 10] [--timeout-s 600] [--out FILE] [--profile DIR]';
const GOAL = { proxies: 10_000, maxRssBytes: 2 * 1024 ** 3, p99Ms: 500 };
const SETTLE_MS = 2_000;
const MIB = 1024 ** 2;

interface Options {
  readonly proxies: readonly number[];
  readonly groups: number;
  readonly mode: XdsMode;
  readonly streamsPerChannel: number;
  readonly timeoutMs: number;
  readonly out: string;
  /** Write V8 CPU profiles of the xds-server and the fleet worker here. */
  readonly profileDir: string | undefined;
}

interface RunResult {
  readonly proxies: number;
  readonly groups: number;
  readonly streamsPerChannel: number;
  readonly loadAverageAtStart: readonly number[];
  readonly snapshot: { readonly resourcesPerProxy: number; readonly bytesPerProxy: number };
  readonly connectStorm: {
    readonly msToAllLive: number;
    readonly nacks: number;
    readonly serverCpuSeconds: number;
    readonly serverRssBytesAfter: number;
    /** CPU of the simulated fleet's process, to tell whether the clients held the figures back. */
    readonly fleetCpuSeconds: number;
  };
  readonly change: {
    readonly types: readonly string[];
    readonly converged: number;
    readonly missing: number;
    readonly nacks: number;
    readonly latency: LatencySummary;
    readonly serverCpuSeconds: number;
    readonly fleetCpuSeconds: number;
  };
  readonly server: { readonly rssBytesAtEnd: number; readonly peakRssBytes: number };
}

function parseOptions(): Options {
  return withUsage(USAGE, readOptions);
}

function readOptions(): Options {
  const { values } = parseArgs({
    args: benchArguments(),
    options: {
      proxies: { type: 'string', default: '1000,10000' },
      groups: { type: 'string', default: '50' },
      mode: { type: 'string', default: 'sotw' },
      'streams-per-channel': { type: 'string', default: '10' },
      'timeout-s': { type: 'string', default: '600' },
      out: { type: 'string', default: join(__dirname, '..', '..', 'results', 'xds.json') },
      profile: { type: 'string' },
    },
  });
  if (values.mode !== 'sotw' && values.mode !== 'delta') {
    throw new Error(`--mode: expected sotw or delta, got "${values.mode}"`);
  }
  return {
    proxies: values.proxies.split(',').map((text) => positiveInteger('proxies', text.trim())),
    groups: positiveInteger('groups', values.groups),
    mode: values.mode,
    streamsPerChannel: positiveInteger('streams-per-channel', values['streams-per-channel']),
    timeoutMs: positiveInteger('timeout-s', values['timeout-s']) * 1_000,
    out: resolve(values.out),
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
  };
}

/** The fleet worker's next message of a type; its failure or exit rejects. */
function nextMessage<T extends FromWorker['type']>(
  worker: ChildProcess,
  type: T,
): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === 'failed') {
        cleanup();
        reject(new Error(`the fleet worker failed: ${message.message}`));
      } else if (message.type === type) {
        cleanup();
        resolvePromise(message as Extract<FromWorker, { type: T }>);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the fleet worker exited with ${String(code)}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
  });
}

function tell(worker: ChildProcess, message: ToWorker): void {
  worker.send(message);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function typeUrlsOf(kinds: readonly ResourceKind[]): string[] {
  return kinds.map((kind) => TYPE_URLS[kind]);
}

async function run(proxies: number, options: Options): Promise<RunResult> {
  const groups = Math.min(options.groups, proxies);
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  const nats = await startNatsServer();
  const keyPrefix = uniqueRedisPrefix('bench-xds');
  const namespace = `bench${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  // Generous timeouts: other work on a shared machine may slow Redis down; the bench measures the server.
  const store = await RedisSnapshotStore.connect({
    url: TEST_REDIS_URL,
    keyPrefix,
    commandTimeoutMs: 60_000,
  });
  const bus = JetStreamEventBus.create({ servers: nats.url, name: 'bench-xds', namespace });
  let server: AppProcess<'xds-server'> | undefined;
  let worker: ChildProcess | undefined;
  try {
    await bus.provisionStreams();
    const members = Array.from({ length: groups }, () => [] as string[]);
    for (let n = 1; n <= proxies; n += 1) members[groupOf(n, groups)]?.push(nodeIdOf(n));
    // One group after the other, as fleet-manager builds tenant by tenant.
    const publish = async (revision: Revision) => {
      const published: PublishedSnapshot[] = [];
      for (const [group, nodeIds] of members.entries()) {
        published.push(
          await publishSnapshot(store, {
            servingKey: servingKeyOfGroup(group),
            resources: groupSnapshot(group, revision),
            proxies: revision === 0 ? nodeIds : [],
          }),
        );
      }
      return published;
    };
    const initial = await publish(0);
    const first = initial[0];
    if (first === undefined) throw new Error('no group was published');
    const snapshot = {
      resourcesPerProxy: first.blobs.size,
      bytesPerProxy: [...first.blobs.values()].reduce((sum, bytes) => sum + bytes.byteLength, 0),
    };

    const xdsPort = await freePort();
    const profiling =
      options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
    server = await startApp(
      'xds-server',
      {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        XDS_HOST: '127.0.0.1',
        XDS_PORT: xdsPort,
        XDS_REPLICA_ID: 'bench',
        // The periodic resync (a safety net for a missed snapshot.updated) would pick up the change as soon
        // as it is in Redis, before it is announced; the bench measures the announced change.
        XDS_RESYNC_INTERVAL_MS: String(86_400_000),
        LOG_LEVEL: 'warn',
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        NATS_URL: nats.url,
        NATS_NAMESPACE: namespace,
      },
      { nodeOptions: profiling },
    );
    const pid = server.pid;

    worker = fork(join(__dirname, 'fleet-worker.js'), [], {
      execArgv: ['--max-old-space-size=16384', ...profiling],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const workerPid = worker.pid;
    if (workerPid === undefined) throw new Error('the fleet worker has no pid');
    const beforeStorm = processUsage(pid);
    const fleetBeforeStorm = processUsage(workerPid);
    const live = nextMessage(worker, 'live');
    tell(worker, {
      type: 'start',
      count: proxies,
      groups,
      xdsPort: Number(xdsPort),
      mode: options.mode,
      streamsPerChannel: options.streamsPerChannel,
      timeoutMs: options.timeoutMs,
    });
    const storm = await live;
    const afterStorm = processUsage(pid);
    const fleetAfterStorm = processUsage(workerPid);
    log(`  ${proxies} proxies LIVE after ${(storm.elapsedMs / 1_000).toFixed(2)} s`);

    // Let the last ACKs of the storm arrive before the change is measured.
    await new Promise((wait) => setTimeout(wait, SETTLE_MS));
    // The worker watches for the new versions before they reach Redis: nothing can be missed.
    const types = typeUrlsOf(CHANGED_TYPES);
    const versions = members.map((_, group) => {
      const { manifest } = buildSnapshot(groupSnapshot(group, 1));
      return Object.fromEntries(types.map((typeUrl) => [typeUrl, manifest.types[typeUrl]?.version ?? '']));
    });
    const armed = nextMessage(worker, 'armed');
    tell(worker, { type: 'expect', versions, timeoutMs: options.timeoutMs });
    await armed;
    await publish(1);
    const converged = nextMessage(worker, 'converged');
    const beforeChange = processUsage(pid);
    const fleetBeforeChange = processUsage(workerPid);
    const announcedAt = preciseNow();
    await bus.publish(
      createEvent('snapshot.updated', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: 'bench',
        payload: { servingKeys: members.map((_, group) => servingKeyOfGroup(group)) },
      }),
    );
    const change = await converged;
    const afterChange = processUsage(pid);
    const fleetAfterChange = processUsage(workerPid);
    const latencies = change.ackedAt.map((at) => at - announcedAt);
    for (const line of change.stuck) log(`  not converged: ${line}`);
    log(
      `  fleet-wide change ACKed by ${latencies.length}/${proxies} proxies, last after ${(Math.max(...latencies) / 1_000).toFixed(2)} s`,
    );
    return {
      proxies,
      groups,
      streamsPerChannel: options.streamsPerChannel,
      loadAverageAtStart,
      snapshot,
      connectStorm: {
        msToAllLive: Math.round(storm.elapsedMs),
        nacks: storm.nacks,
        serverCpuSeconds: round2(afterStorm.cpuSeconds - beforeStorm.cpuSeconds),
        serverRssBytesAfter: afterStorm.rssBytes,
        fleetCpuSeconds: round2(fleetAfterStorm.cpuSeconds - fleetBeforeStorm.cpuSeconds),
      },
      change: {
        types,
        converged: latencies.length,
        missing: change.missing,
        nacks: change.nacks,
        latency: summarize(latencies),
        serverCpuSeconds: round2(afterChange.cpuSeconds - beforeChange.cpuSeconds),
        fleetCpuSeconds: round2(fleetAfterChange.cpuSeconds - fleetBeforeChange.cpuSeconds),
      },
      server: { rssBytesAtEnd: afterChange.rssBytes, peakRssBytes: afterChange.peakRssBytes },
    };
  } finally {
    if (worker !== undefined && worker.exitCode === null) {
      tell(worker, { type: 'stop' });
      await once(worker, 'exit');
    }
    await server?.stop();
    await bus.close();
    await store.close();
    await deleteRedisKeys(keyPrefix);
    await nats.dispose();
  }
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / MIB)} MiB`;
}

function table(results: readonly RunResult[]): string {
  const header = [
    'proxies',
    'connect storm',
    'change p50',
    'change p99',
    'change max',
    'xds RSS after storm',
    'xds peak RSS',
    'xds CPU storm',
    'xds CPU change',
    'fleet CPU change',
  ];
  const rows = results.map((result) => [
    String(result.proxies),
    `${(result.connectStorm.msToAllLive / 1_000).toFixed(2)} s`,
    `${result.change.latency.p50Ms} ms`,
    `${result.change.latency.p99Ms} ms`,
    `${result.change.latency.maxMs} ms`,
    mib(result.connectStorm.serverRssBytesAfter),
    mib(result.server.peakRssBytes),
    `${result.connectStorm.serverCpuSeconds} s`,
    `${result.change.serverCpuSeconds} s`,
    `${result.change.fleetCpuSeconds} s`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function verdict(results: readonly RunResult[]): string[] {
  const atGoal = results.find((result) => result.proxies === GOAL.proxies);
  if (atGoal === undefined) return [`(no run at ${GOAL.proxies} proxies: goal not checked)`];
  const rssOk = atGoal.server.peakRssBytes < GOAL.maxRssBytes;
  const p99Ok = atGoal.change.missing === 0 && atGoal.change.latency.p99Ms < GOAL.p99Ms;
  return [
    `goal ${GOAL.proxies} ADS streams under ${mib(GOAL.maxRssBytes)} RSS: ${rssOk ? 'met' : 'MISSED'} (peak ${mib(atGoal.server.peakRssBytes)})`,
    `goal fleet-wide change ACKed at p99 < ${GOAL.p99Ms} ms: ${p99Ok ? 'met' : 'MISSED'} (p99 ${atGoal.change.latency.p99Ms} ms, ${atGoal.change.missing} proxies missing)`,
  ];
}

async function main(): Promise<void> {
  const options = parseOptions();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
  };
  log(
    `xDS benchmark: ${options.mode} ADS, ${options.streamsPerChannel} streams per gRPC channel, ${machine.cpus} CPUs (shared with whatever else runs here)`,
  );
  const results: RunResult[] = [];
  const save = async () => {
    await mkdir(dirname(options.out), { recursive: true });
    const document = {
      benchmark: 'xds',
      finishedAt: new Date().toISOString(),
      machine,
      mode: options.mode,
      results,
    };
    await writeFile(options.out, `${JSON.stringify(document, null, 2)}\n`);
  };
  // Saved after each fleet size, so that a larger one that fails leaves the smaller ones' figures.
  for (const proxies of options.proxies) {
    log(`- ${proxies} proxies`);
    results.push(await run(proxies, options));
    await save();
  }
  log('');
  log(table(results));
  for (const line of verdict(results)) log(line);
  log(`results written to ${options.out}`);
}

runBench(main);
