import { benchArguments, positiveInteger, runBench, withUsage } from '../support/cli';
import { randomBytes } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  ConfigBindingEntity,
  createDataSource,
  ProxyEntity,
  ProxyGroupEntity,
  runMigrations,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import { EffectiveConfigRepository } from '@envoy-fleet/fleet-manager/snapshots/effective-config.repository';
import {
  type BuildReport,
  type BuildSnapshotsCommand,
  SnapshotBuilder,
} from '@envoy-fleet/fleet-manager/snapshots/snapshot-builder';
import { consumeSnapshotTriggers } from '@envoy-fleet/fleet-manager/snapshots/snapshot-events.consumer';
import { SnapshotReads } from '@envoy-fleet/fleet-manager/snapshots/snapshot-reads';
import { SnapshotRebuild } from '@envoy-fleet/fleet-manager/snapshots/snapshot-rebuild';
import { TranslationCache } from '@envoy-fleet/fleet-manager/snapshots/translation-cache';
import { JetStreamEventBus, type MessagingLogger } from '@envoy-fleet/messaging';
import { RedisSnapshotStore } from '@envoy-fleet/snapshot-store';
import { createTestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { type AppProcess, startApp } from '@envoy-fleet/test-kit/stack';
import { type LatencySummary, summarize } from '../xds/latency-summary';
import { type FleetShape, fleetConfig } from './fleet-config';
import { type FunctionCost, type ProfileSummary, summarizeProfile } from './profile-summary';
import { redisFootprint } from './redis-footprint';

/**
 * `pnpm --filter @envoy-fleet/bench run snapshots [-- --proxies 10000 --groups 10 --routes 50
 *  --clusters 50 --endpoints 100000 --changes 5 --out results/snapshots.json --profile DIR]`
 *
 * One config (listeners, routes, EDS clusters and their endpoints) stored through the real api
 * process, bound to every group of the fleet, so every proxy runs it. fleet-manager's SnapshotBuilder
 * and its event consumer run in this process against the same PostgreSQL, a Redis key prefix of the
 * run's own and JetStream. Measures the cold build of the whole fleet and what it leaves in Redis, then
 * one-cluster endpoint changes written through the api (PUT), from the request to `snapshot.updated`.
 */

const USAGE =
  'snapshots [--proxies 10000] [--groups 10] [--routes 50] [--clusters 50] [--endpoints 100000] [--changes 5] [--out FILE] [--profile DIR]';
const GOAL_MS = 300;
const SETTLE_MS = 1_000;
/** Functions listed per profile summary, by own time and by time with callees. */
const PROFILE_TOP = 25;
const PROXY_BATCH = 1_000;
const ACTOR = { actor: 'bench:snapshots' };

interface Options {
  readonly proxies: number;
  readonly groups: number;
  readonly shape: FleetShape;
  readonly changes: number;
  readonly out: string;
  readonly profileDir: string | undefined;
}

function parseOptions(): Options {
  return withUsage(USAGE, readOptions);
}

function readOptions(): Options {
  const { values } = parseArgs({
    args: benchArguments(),
    options: {
      proxies: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '10' },
      routes: { type: 'string', default: '50' },
      clusters: { type: 'string', default: '50' },
      endpoints: { type: 'string', default: '100000' },
      changes: { type: 'string', default: '5' },
      out: { type: 'string', default: join(__dirname, '..', '..', 'results', 'snapshots.json') },
      profile: { type: 'string' },
    },
  });
  return {
    proxies: positiveInteger('proxies', values.proxies),
    groups: positiveInteger('groups', values.groups),
    shape: {
      listeners: 2,
      routes: positiveInteger('routes', values.routes),
      clusters: positiveInteger('clusters', values.clusters),
      endpoints: positiveInteger('endpoints', values.endpoints),
    },
    changes: positiveInteger('changes', values.changes),
    out: resolve(values.out),
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const quietLogger: MessagingLogger = {
  info: () => undefined,
  warn: (fields, message) => log(`warn: ${message} ${JSON.stringify(fields)}`),
  error: (fields, message) => log(`error: ${message} ${JSON.stringify(fields)}`),
};

/** The real builder, timed: how long each build the consumer runs takes, and whether one is running. */
class TimedBuilder extends SnapshotBuilder {
  readonly builds: { readonly startedAt: number; readonly ms: number; readonly report: BuildReport }[] = [];
  private running = 0;

  override async execute(command: BuildSnapshotsCommand = {}): Promise<BuildReport> {
    const startedAt = performance.now();
    this.running += 1;
    try {
      const report = await super.execute(command);
      this.builds.push({ startedAt, ms: performance.now() - startedAt, report });
      return report;
    } finally {
      this.running -= 1;
    }
  }

  /** Resolves once no build has run for `quietMs`. */
  async settled(quietMs: number): Promise<void> {
    for (;;) {
      const last = this.builds.at(-1);
      const quietSince = last === undefined ? 0 : last.startedAt + last.ms;
      if (this.running === 0 && performance.now() - quietSince >= quietMs) return;
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }
}

async function call<T>(
  url: string,
  token: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ body: T; headers: Headers }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 2_000)}`);
  return { body: JSON.parse(text) as T, headers: response.headers };
}

interface ChangeResult {
  readonly apiWriteMs: number;
  readonly writeToSnapshotUpdatedMs: number;
  /** From the api's answer (the version is committed) to `snapshot.updated`: the snapshot pipeline alone. */
  readonly answerToSnapshotUpdatedMs: number;
  readonly buildMs: number;
  readonly repointed: number;
  readonly published: number;
  /** Resources translated and encoded for the change (the others came from the translation cache). */
  readonly encoded: number;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
  const { shape } = options;
  log(
    `snapshot benchmark: ${options.proxies} proxies in ${options.groups} groups, ${shape.listeners} listeners, ${shape.routes} routes, ${shape.clusters} clusters, ${shape.endpoints} endpoints; ${machine.cpus} CPUs (shared with whatever else runs here), load ${machine.loadAverageAtStart.join(' ')}`,
  );
  const database = await createTestDatabase({ migrate: runMigrations, label: 'bench-snapshots' });
  const systemDataSource = await createDataSource({
    url: database.systemUrl,
    applicationName: 'bench-snapshots',
  }).initialize();
  const redisPrefix = uniqueRedisPrefix('bench-snapshots');
  const store = await RedisSnapshotStore.connect({
    url: TEST_REDIS_URL,
    keyPrefix: redisPrefix,
    commandTimeoutMs: 60_000,
  });
  const namespace = `bench_snapshots_${randomBytes(3).toString('hex')}`;
  const bus = JetStreamEventBus.create({
    servers: TEST_NATS_URL,
    name: 'bench-snapshots',
    namespace,
    logger: quietLogger,
  });
  const installationKey = `bench-bootstrap-${randomBytes(16).toString('hex')}`;
  let api: AppProcess<'api'> | undefined;
  try {
    await bus.provisionStreams();
    const apiProfile =
      options.profileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, 'api')}`];
    api = await startApp(
      'api',
      {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        GRPC_PORT: await freePort(),
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.appUrl,
        DATABASE_SYSTEM_URL: database.systemUrl,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: namespace,
        FLEET_BOOTSTRAP_TOKEN: installationKey,
        JWT_SECRET: randomBytes(32).toString('hex'),
        SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HTTP_BODY_LIMIT_BYTES: String(64 * 1024 * 1024),
      },
      { nodeOptions: apiProfile },
    );
    const apiUrl = api.url;

    log(`- storing the config through the api (${shape.endpoints} endpoints)`);
    const configName = 'fleet';
    const created = await call<{ id: string }>(apiUrl, installationKey, 'POST', '/api/v1/configs', {
      body: fleetConfig(configName, shape),
    });
    const configId = created.body.id;

    log(`- ${options.groups} groups, ${options.proxies} proxies and one group binding per group`);
    await withSystem(systemDataSource, ACTOR, async (manager) => {
      const tenant = await manager.findOneByOrFail(TenantEntity, { name: 'default' });
      const groups = await manager.save(
        Array.from({ length: options.groups }, (_, index) =>
          manager.create(ProxyGroupEntity, { tenantId: tenant.id, name: `edge-${index}`, parentId: null }),
        ),
      );
      for (let first = 0; first < options.proxies; first += PROXY_BATCH) {
        const count = Math.min(PROXY_BATCH, options.proxies - first);
        await manager.insert(
          ProxyEntity,
          Array.from({ length: count }, (_, offset) => {
            const n = first + offset;
            const group = groups[n % groups.length];
            if (group === undefined) throw new Error('no group to put the proxy in');
            return {
              tenantId: tenant.id,
              nodeId: `edge-${n}`,
              groupId: group.id,
              labels: {},
              containerName: `edge-${n}`,
              proxyPort: 20_000 + 2 * n,
              adminPort: 20_001 + 2 * n,
              image: 'envoyproxy/envoy:v1.36.2',
            };
          }),
        );
      }
      await manager.insert(
        ConfigBindingEntity,
        groups.map((group) => ({ tenantId: tenant.id, mode: 'group' as const, groupId: group.id, configId })),
      );
    });

    const translations = new TranslationCache();
    const builder = new TimedBuilder({
      configs: new EffectiveConfigRepository(systemDataSource),
      store,
      events: bus,
      logger: quietLogger,
      translations,
    });
    log('- cold build of every proxy (empty Redis)');
    const coldStart = performance.now();
    const cold = await profiled(options.profileDir, 'cold-build', () => builder.execute());
    const coldBuildMs = Math.round(performance.now() - coldStart);
    const redis = await redisFootprint(TEST_REDIS_URL, redisPrefix);
    log(
      `  ${coldBuildMs} ms: ${cold.published.length} snapshot(s) published, ${cold.repointed.length} proxies pointed`,
    );

    const noopStart = performance.now();
    await builder.execute();
    const noopBuildMs = Math.round(performance.now() - noopStart);

    const updates: { receivedAt: number; servingKeys: readonly string[] }[] = [];
    const updated = await bus.subscribe('snapshot.updated', (event) => {
      updates.push({ receivedAt: performance.now(), servingKeys: event.payload.servingKeys });
      return Promise.resolve();
    });
    const consumer = await consumeSnapshotTriggers(bus, builder, {
      rebuild: new SnapshotRebuild({ builder, store, events: bus, logger: quietLogger }),
      reads: new SnapshotReads({ store, events: bus }),
    });
    const changes: ChangeResult[] = [];
    try {
      await profiled(options.profileDir, 'changes', async () => {
        for (let revision = 1; revision <= options.changes; revision += 1) {
          await builder.settled(SETTLE_MS);
          const current = await call<{ latestVersion: number }>(
            apiUrl,
            installationKey,
            'GET',
            `/api/v1/configs/${configId}`,
          );
          const body = fleetConfig(configName, shape, revision, revision % shape.clusters);
          const seenBefore = updates.length;
          const buildsBefore = builder.builds.length;
          const encodedBefore = translations.translated;
          const writtenAt = performance.now();
          await call(apiUrl, installationKey, 'PUT', `/api/v1/configs/${configId}`, {
            body,
            headers: { 'if-match': current.headers.get('etag') ?? '' },
          });
          const answeredAt = performance.now();
          const apiWriteMs = answeredAt - writtenAt;
          const announced = await waitFor(
            () => updates.slice(seenBefore).find((update) => update.servingKeys.length > 0),
            60_000,
          );
          const build = await waitFor(
            () => builder.builds.slice(buildsBefore).find((entry) => entry.report.published.length > 0),
            60_000,
          );
          changes.push({
            apiWriteMs: round(apiWriteMs),
            writeToSnapshotUpdatedMs: round(announced.receivedAt - writtenAt),
            answerToSnapshotUpdatedMs: round(announced.receivedAt - answeredAt),
            buildMs: round(build.ms),
            repointed: build.report.repointed.length,
            published: build.report.published.length,
            encoded: translations.translated - encodedBefore,
          });
          const last = changes.at(-1);
          log(
            `  change ${revision}: api PUT ${last?.apiWriteMs} ms, write to snapshot.updated ${last?.writeToSnapshotUpdatedMs} ms (from the answer ${last?.answerToSnapshotUpdatedMs} ms), build ${last?.buildMs} ms (${last?.repointed} proxies repointed, ${last?.encoded} resources encoded)`,
          );
        }
      });
    } finally {
      await consumer.stop();
      await updated.stop();
    }

    const summary = {
      coldBuildMs,
      noopBuildMs,
      redis,
      redisMemoryBytes: Object.values(redis).reduce((sum, kind) => sum + kind.memoryBytes, 0),
      change: {
        apiWrite: summarize(changes.map((change) => change.apiWriteMs)),
        writeToSnapshotUpdated: summarize(changes.map((change) => change.writeToSnapshotUpdatedMs)),
        answerToSnapshotUpdated: summarize(changes.map((change) => change.answerToSnapshotUpdatedMs)),
        build: summarize(changes.map((change) => change.buildMs)),
      },
    };
    log('');
    log(report(options, summary));
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(
      options.out,
      `${JSON.stringify({ benchmark: 'snapshots', finishedAt: new Date().toISOString(), machine, proxies: options.proxies, groups: options.groups, shape, ...summary, changes }, null, 2)}\n`,
    );
    log(`results written to ${options.out}`);
  } finally {
    await api?.stop();
    await bus.close();
    await store.close();
    await deleteRedisKeys(redisPrefix);
    await systemDataSource.destroy();
    await database.drop();
  }
}

/** Runs `work` under the V8 CPU profiler of this process when a directory is given, and writes `<name>.cpuprofile` there. */
async function profiled<T>(directory: string | undefined, name: string, work: () => Promise<T>): Promise<T> {
  if (directory === undefined) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    log(describeProfile(name, summarizeProfile(profile, PROFILE_TOP)));
  }
}

function describeProfile(name: string, summary: ProfileSummary): string {
  const rows = (costs: readonly FunctionCost[]) =>
    costs.map(
      ({ frame, ms, percent }) =>
        `    ${ms.toFixed(0).padStart(7)} ms ${percent.toFixed(1).padStart(5)}%  ${frame}`,
    );
  return [
    `  profile ${name}: ${summary.totalMs} ms sampled; most time in the function itself:`,
    ...rows(summary.self),
    '  and with what it called:',
    ...rows(summary.inclusive),
  ].join('\n');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (performance.now() > deadline) throw new Error(`nothing arrived within ${timeoutMs} ms`);
    await new Promise((wake) => setTimeout(wake, 2));
  }
}

function report(
  options: Options,
  summary: {
    coldBuildMs: number;
    noopBuildMs: number;
    redisMemoryBytes: number;
    redis: Record<string, { keys: number; valueBytes: number; memoryBytes: number }>;
    change: Record<
      'apiWrite' | 'writeToSnapshotUpdated' | 'answerToSnapshotUpdated' | 'build',
      LatencySummary
    >;
  },
): string {
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  const lines = [
    `cold build of ${options.proxies} proxies: ${summary.coldBuildMs} ms; rebuild with nothing changed: ${summary.noopBuildMs} ms`,
    `Redis: ${mib(summary.redisMemoryBytes)} in all (MEMORY USAGE)`,
    ...Object.entries(summary.redis).map(
      ([kind, footprint]) =>
        `  ${kind.padEnd(9)} ${String(footprint.keys).padStart(6)} keys, values ${mib(footprint.valueBytes)}, memory ${mib(footprint.memoryBytes)}`,
    ),
    `one-cluster endpoint change (${options.changes} runs), ms      p50      p90      p99      max`,
    ...(['apiWrite', 'writeToSnapshotUpdated', 'answerToSnapshotUpdated', 'build'] as const).map((key) => {
      const latency = summary.change[key];
      return `  ${key.padEnd(40)} ${[latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.maxMs].map((value) => value.toFixed(1).padStart(8)).join(' ')}`;
    }),
    `goal: a change touching all ${options.proxies} proxies built and published in < ${GOAL_MS} ms: ${summary.change.build.p99Ms < GOAL_MS ? 'met' : 'missed'} (build p99 ${summary.change.build.p99Ms} ms)`,
  ];
  return lines.join('\n');
}

runBench(main);
