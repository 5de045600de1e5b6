import { benchArguments, positiveInteger, runBench, withUsage } from '../support/cli';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runMigrations } from '@envoy-fleet/db';
import { createTestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type AppProcess, startApp } from '@envoy-fleet/test-kit/stack';
import autocannon from 'autocannon';
import { edgeProxyConfig } from './api-config';
import { readVerdict, type ScenarioKind, type ScenarioResult, scenarioResult, table } from './api-report';
import { cpuMsBetween, sampleCpu } from './process-cpu';

/**
 * `pnpm --filter @envoy-fleet/bench run api [-- --connections 100,1000 --duration-s 10 --seed 500
 *  --out results/api.json --profile DIR]`
 *
 * Starts the real api process (`node dist/main.js`) on a fresh database of the local PostgreSQL and the
 * local NATS (streams in a namespace of the run's own), seeds a tenant with configs, then drives it with
 * autocannon: reads (a page of configs, one config with its document) and writes (a new config, so a
 * validated document, a version, an audit row and an outbox event per request), at each concurrency.
 */

const USAGE =
  'api [--connections 100,1000] [--duration-s 10] [--rate REQUESTS_PER_S] [--seed 500] [--only floor,list,one,create] [--out FILE] [--profile DIR]';
const GOAL = { connections: 1_000, p99Ms: 100 };
const WARM_UP = { connections: 20, durationS: 3 };
const SEED_CONCURRENCY = 8;
/** Between runs, until reading one config takes less than this several times in a row. */
const SETTLED = { latencyMs: 250, inARow: 3, timeoutMs: 180_000 };

const SCENARIO_KEYS = ['floor', 'list', 'one', 'create'] as const;
type ScenarioKey = (typeof SCENARIO_KEYS)[number];

interface Options {
  readonly connections: readonly number[];
  readonly durationS: number;
  /** Requests per second over all connections; undefined: each connection sends its next request at once. */
  readonly rate: number | undefined;
  readonly seed: number;
  readonly out: string;
  readonly profileDir: string | undefined;
  /** The scenarios to run (all by default), e.g. to profile one of them alone. */
  readonly only: readonly ScenarioKey[];
}

function parseOptions(): Options {
  return withUsage(USAGE, readOptions);
}

function readOptions(): Options {
  const { values } = parseArgs({
    args: benchArguments(),
    options: {
      connections: { type: 'string', default: '100,1000' },
      'duration-s': { type: 'string', default: '10' },
      rate: { type: 'string' },
      seed: { type: 'string', default: '500' },
      out: { type: 'string', default: join(__dirname, '..', '..', 'results', 'api.json') },
      profile: { type: 'string' },
      only: { type: 'string', default: SCENARIO_KEYS.join(',') },
    },
  });
  return {
    connections: values.connections.split(',').map((text) => positiveInteger('connections', text.trim())),
    durationS: positiveInteger('duration-s', values['duration-s']),
    rate: values.rate === undefined ? undefined : positiveInteger('rate', values.rate),
    seed: positiveInteger('seed', values.seed),
    out: resolve(values.out),
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    only: values.only.split(',').map((key) => {
      const known = SCENARIO_KEYS.find((each) => each === key.trim());
      if (known === undefined)
        throw new Error(`--only: expected some of ${SCENARIO_KEYS.join(', ')}, got "${key}"`);
      return known;
    }),
  };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A JSON call the seeding needs to succeed. */
async function call<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A tenant whose quotas do not get in the way, an access token of its admin, and `count` configs. */
async function seed(url: string, installationKey: string, count: number) {
  const tenant = await call<{ adminApiKey: { secret: string } }>(
    url,
    installationKey,
    'POST',
    '/api/v1/tenants',
    {
      name: 'bench',
      displayName: 'api benchmark',
      quotas: { maxConfigs: 10_000_000, apiRequestsPerMinute: 1_000_000_000 },
    },
  );
  const { accessToken } = await call<{ accessToken: string }>(
    url,
    tenant.adminApiKey.secret,
    'POST',
    '/api/v1/auth/token',
  );
  const configIds: string[] = [];
  for (let next = 0; next < count; next += SEED_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(SEED_CONCURRENCY, count - next) }, (_, offset) =>
      call<{ id: string }>(
        url,
        accessToken,
        'POST',
        '/api/v1/configs',
        edgeProxyConfig(`seed-${next + offset}`),
      ),
    );
    configIds.push(...(await Promise.all(batch)).map((config) => config.id));
  }
  return { accessToken, configIds };
}

interface Scenario {
  readonly key: ScenarioKey;
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly request: autocannon.Request;
}

function scenarios(configIds: readonly string[]): Scenario[] {
  let nextRead = 0;
  let nextWrite = 0;
  const runId = randomBytes(3).toString('hex');
  return [
    {
      key: 'floor',
      name: 'GET /healthz (floor: no auth, no database)',
      kind: 'baseline',
      request: { method: 'GET', path: '/healthz' },
    },
    {
      key: 'list',
      name: 'GET /api/v1/configs?limit=50',
      kind: 'read',
      request: { method: 'GET', path: '/api/v1/configs?limit=50' },
    },
    {
      key: 'one',
      name: 'GET /api/v1/configs/{id}',
      kind: 'read',
      request: {
        method: 'GET',
        setupRequest: (request) => {
          nextRead += 1;
          return { ...request, path: `/api/v1/configs/${configIds[nextRead % configIds.length] ?? ''}` };
        },
      },
    },
    {
      key: 'create',
      name: 'POST /api/v1/configs',
      kind: 'write',
      request: {
        method: 'POST',
        path: '/api/v1/configs',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          nextWrite += 1;
          return { ...request, body: JSON.stringify(edgeProxyConfig(`bench-${runId}-${nextWrite}`)) };
        },
      },
    },
  ];
}

/**
 * Waits until the api has worked off what the last run left queued (requests of closed connections are
 * still answered), so that each run starts on an idle api.
 */
async function settle(url: string, token: string, configId: string): Promise<void> {
  const deadline = performance.now() + SETTLED.timeoutMs;
  let fast = 0;
  while (fast < SETTLED.inARow) {
    if (performance.now() > deadline)
      throw new Error(`the api did not settle within ${SETTLED.timeoutMs} ms`);
    const startedAt = performance.now();
    await call(url, token, 'GET', `/api/v1/configs/${configId}`);
    fast = performance.now() - startedAt < SETTLED.latencyMs ? fast + 1 : 0;
  }
}

async function drive(
  url: string,
  token: string,
  request: autocannon.Request,
  connections: number,
  durationS: number,
  rate?: number,
) {
  return autocannon({
    url,
    connections,
    duration: durationS,
    ...(rate === undefined ? {} : { overallRate: rate }),
    timeout: 60,
    headers: { authorization: `Bearer ${token}` },
    requests: [request],
  });
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
  log(
    `api benchmark: ${machine.cpus} CPUs (shared with whatever else runs here), load ${machine.loadAverageAtStart.join(' ')}`,
  );
  const database = await createTestDatabase({ migrate: runMigrations, label: 'bench-api' });
  const installationKey = `bench-bootstrap-${randomBytes(16).toString('hex')}`;
  let api: AppProcess<'api'> | undefined;
  try {
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
        NATS_NAMESPACE: `bench_api_${randomBytes(3).toString('hex')}`,
        FLEET_BOOTSTRAP_TOKEN: installationKey,
        JWT_SECRET: randomBytes(32).toString('hex'),
        JWT_TTL_SECONDS: '3600',
        SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      },
      {
        nodeOptions:
          options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`],
      },
    );
    log(`- api at ${api.url}; seeding ${options.seed} configs`);
    const { accessToken, configIds } = await seed(api.url, installationKey, options.seed);
    const results: ScenarioResult[] = [];
    const probe = configIds[0];
    if (probe === undefined) throw new Error('no config was seeded');
    for (const scenario of scenarios(configIds).filter((each) => options.only.includes(each.key))) {
      await drive(api.url, accessToken, scenario.request, WARM_UP.connections, WARM_UP.durationS);
      for (const connections of options.connections) {
        await settle(api.url, accessToken, probe);
        const pace = options.rate === undefined ? '' : ` at ${options.rate} req/s in all`;
        log(`- ${scenario.name} with ${connections} connections${pace} for ${options.durationS} s`);
        const before = await sampleCpu(api.pid, database.name);
        const outcome = await drive(
          api.url,
          accessToken,
          scenario.request,
          connections,
          options.durationS,
          options.rate,
        );
        const after = await sampleCpu(api.pid, database.name);
        results.push(
          scenarioResult(scenario, connections, outcome, {
            apiMs: cpuMsBetween(before.api, after.api),
            postgresMs: cpuMsBetween(before.postgres, after.postgres),
          }),
        );
      }
    }
    log('');
    log(table(results));
    const verdict = readVerdict(results, GOAL);
    if (verdict !== undefined) log(verdict);
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(
      options.out,
      `${JSON.stringify({ benchmark: 'api', finishedAt: new Date().toISOString(), machine, seededConfigs: options.seed, rate: options.rate ?? null, results }, null, 2)}\n`,
    );
    log(`results written to ${options.out}`);
  } finally {
    await api?.stop();
    await database.drop();
  }
}

runBench(main);
