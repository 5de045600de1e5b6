import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from '@envoy-fleet/db';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import ts from 'typescript';
import { edgeConfig } from './fixtures/proxy-configs';
import { type ApiProcess, startApiProcess } from './support/api-process';

/**
 * openapi-typescript's programmatic API, run by plain Node: its dependencies are ES modules, which Node
 * requires natively but Jest's module loader does not. (It brings supports-color 10; the api pins
 * supports-color 8.1.1 as a devDependency so that pnpm keeps resolving Nest's optional peer to the
 * version the other workspace packages get, otherwise the api would link a second @nestjs/core.)
 */
const GENERATE_SCHEMA_TYPES = `
import { writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
const [documentUrl, outputFile] = process.argv.slice(1);
await writeFile(outputFile, astToString(await openapiTS(new URL(documentUrl))));
`;

/**
 * A client program as a user of the api writes it: openapi-fetch typed by the `.d.ts` that
 * openapi-typescript generates from the served document. It must type-check under `strict`, and the
 * `@ts-expect-error` lines prove the generated types are precise (a directive on a line without an
 * error is itself an error). The test then runs the emitted program against the api.
 */
const CLIENT_PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './api-schema';

type ConfigWrite = paths['/api/v1/configs']['post']['requestBody']['content']['application/json'];

export interface Outcome {
  readonly groupId: string;
  readonly groupName: string;
  readonly groupVersion: number;
  readonly groupNamesListed: string[];
  readonly refusedStatus: number;
  readonly refusedPaths: string[];
  readonly configId: string;
  readonly configName: string;
  readonly configVersion: number;
  readonly configClusters: number;
  readonly versionNumbers: number[];
}

export async function exercise(baseUrl: string, token: string, config: ConfigWrite): Promise<Outcome> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + token } });

  const created = await client.POST('/api/v1/proxy-groups', {
    body: { name: 'edge', description: 'typed client', labels: { tier: 'edge' } },
  });
  if (created.data === undefined) throw new Error('group not created: ' + JSON.stringify(created.error));
  const group = await client.GET('/api/v1/proxy-groups/{id}', { params: { path: { id: created.data.id } } });
  if (group.data === undefined) throw new Error('group not read: ' + JSON.stringify(group.error));
  const listed = await client.GET('/api/v1/proxy-groups', { params: { query: { limit: 10, sort: 'name' } } });
  if (listed.data === undefined) throw new Error('groups not listed: ' + JSON.stringify(listed.error));

  const refused = await client.POST('/api/v1/proxy-groups', { body: { name: 'Not A Group Name' } });
  const refusedPaths = (refused.error?.errors ?? []).map((error) => error.path);

  const stored = await client.POST('/api/v1/configs', { body: config });
  if (stored.data === undefined) throw new Error('config not created: ' + JSON.stringify(stored.error));
  const read = await client.GET('/api/v1/configs/{id}', { params: { path: { id: stored.data.id } } });
  if (read.data === undefined) throw new Error('config not read: ' + JSON.stringify(read.error));
  const versions = await client.GET('/api/v1/configs/{id}/versions', {
    params: { path: { id: stored.data.id } },
  });
  if (versions.data === undefined) throw new Error('versions not listed: ' + JSON.stringify(versions.error));

  return {
    groupId: group.data.id,
    groupName: group.data.name,
    groupVersion: group.data.version,
    groupNamesListed: listed.data.items.map((item) => item.name),
    refusedStatus: refused.response.status,
    refusedPaths,
    configId: read.data.id,
    configName: read.data.name,
    configVersion: read.data.latestVersion,
    configClusters: read.data.document.spec.clusters.length,
    versionNumbers: versions.data.items.map((version) => version.number),
  };
}

export async function misuses(client: ReturnType<typeof createClient<paths>>): Promise<void> {
  // @ts-expect-error: the api has no such route
  await client.GET('/api/v1/no-such-route');
  // @ts-expect-error: a group's name is a string
  await client.POST('/api/v1/proxy-groups', { body: { name: 42 } });
  // @ts-expect-error: reading a group needs its id
  await client.GET('/api/v1/proxy-groups/{id}', {});
  const group = await client.GET('/api/v1/proxy-groups/{id}', { params: { path: { id: 'x' } } });
  // @ts-expect-error: a group has no such field
  void group.data?.replicas;
}
`;

describe('typed client generated from the served OpenAPI document', () => {
  let database: TestDatabase;
  let api: ApiProcess;
  let adminKey: string;
  let workDir: string;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'typed-client' });
    adminKey = `test-bootstrap-${randomBytes(16).toString('hex')}`;
    api = await startApiProcess({
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      GRPC_PORT: await freePort(),
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.appUrl,
      DATABASE_SYSTEM_URL: database.systemUrl,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: `api_typed_client_${randomBytes(3).toString('hex')}`,
      FLEET_BOOTSTRAP_TOKEN: adminKey,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    // Inside node_modules (ignored by git) so that the program resolves openapi-fetch like any client.
    const cache = join(__dirname, '..', 'node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    workDir = await mkdtemp(join(cache, 'typed-client-'));
  }, 90_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('type-checks a strict openapi-fetch program that creates and reads a group and a config', async () => {
    await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '--eval',
        GENERATE_SCHEMA_TYPES,
        new URL('/api/docs-json', api.url).href,
        join(workDir, 'api-schema.d.ts'),
      ],
      { cwd: join(__dirname, '..') },
    );
    const clientFile = join(workDir, 'client.ts');
    await writeFile(clientFile, CLIENT_PROGRAM);

    const program = ts.createProgram([clientFile], {
      strict: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      types: [],
      outDir: workDir,
    });
    const diagnostics = ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => workDir,
      getNewLine: () => '\n',
    });
    expect(diagnostics).toBe('');
    expect(program.emit().emitSkipped).toBe(false);

    const client = (await import(join(workDir, 'client.js'))) as {
      exercise(baseUrl: string, token: string, config: unknown): Promise<Record<string, unknown>>;
    };
    const outcome = await client.exercise(api.url, adminKey, edgeConfig('typed-client'));

    expect(outcome).toEqual({
      groupId: expect.any(String) as unknown,
      groupName: 'edge',
      groupVersion: 1,
      groupNamesListed: ['edge'],
      refusedStatus: 400,
      refusedPaths: ['name'],
      configId: expect.any(String) as unknown,
      configName: 'typed-client',
      configVersion: 1,
      configClusters: 1,
      versionNumbers: [1],
    });
  }, 180_000);
});
