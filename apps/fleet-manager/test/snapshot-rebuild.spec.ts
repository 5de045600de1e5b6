import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '@envoy-fleet/db';
import { RedisSnapshotStore } from '@envoy-fleet/snapshot-store';
import { deleteRedisKeys } from '@envoy-fleet/test-kit/redis';
import {
  type EnvoySimProcess,
  type RunningStack,
  startEnvoySim,
  startStack,
} from '@envoy-fleet/test-kit/stack';
import { parseManifest } from '@envoy-fleet/xds';
import { ServedSnapshots } from '../src/deliveries/served-snapshots';

const QUICKSTART = join(__dirname, '..', '..', '..', 'docs', 'quickstart');
const document = (file: string): unknown => JSON.parse(readFileSync(join(QUICKSTART, file), 'utf8'));
const TYPES = ['listener', 'route_config', 'cluster', 'endpoint'] as const;

/**
 * Rebuilding snapshots on demand, on the real processes: `POST /api/v1/snapshots/rebuild` commits
 * `snapshot.rebuild.requested`, fleet-manager rebuilds from PostgreSQL what Redis lost (pointers,
 * manifests, resources), and a proxy that connects afterwards is served and SYNCED.
 */
describe('snapshot rebuild on demand', () => {
  let stack: RunningStack;
  let store: RedisSnapshotStore;
  let served: ServedSnapshots;
  let sim: EnvoySimProcess | undefined;
  let groupId: string;

  beforeAll(async () => {
    stack = await startStack({ migrate: runMigrations, label: 'snapshot-rebuild' });
    store = await RedisSnapshotStore.connect({ url: stack.redisUrl, keyPrefix: stack.redisKeyPrefix });
    served = new ServedSnapshots(store);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    await store?.close();
    await stack?.stop();
  }, 60_000);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await stack.api(method, path, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const until = <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> =>
    stack.until('the expected state', read, done);
  /** Whether every resource of the proxy's snapshot is in Redis. */
  const complete = async (nodeId: string): Promise<boolean> => {
    const snapshot = await served.of(nodeId);
    if (snapshot === undefined) return false;
    const hash = (await store.getPointers('serving', [snapshot.servingKey])).get(snapshot.servingKey) ?? '';
    const bytes = (await store.getBlobs('manifest', [hash])).get(hash);
    if (bytes === undefined) return false;
    const hashes = Object.values(parseManifest(bytes, hash).types).flatMap((type) =>
      Object.values(type.resources),
    );
    return hashes.length > 0 && (await store.getBlobs('res', hashes)).size === new Set(hashes).size;
  };

  it('serves a proxy again after its Redis keys were flushed', async () => {
    groupId = (await call('POST', '/api/v1/proxy-groups', { name: 'edge' })).body['id'] as string;
    await call('POST', '/api/v1/proxies', {
      nodeId: 'edge-1',
      groupId,
      containerName: 'envoy-proxy-edge-001',
      proxyPort: 10000,
      adminPort: 9901,
      image: 'envoyproxy/envoy:v1.31.0',
    });
    const configId = (await call('POST', '/api/v1/configs', document('edge-config.json'))).body['id'];
    await call('POST', '/api/v1/bindings', { mode: 'group', groupId, configId });
    await until(() => complete('edge-1'), Boolean);

    await deleteRedisKeys(stack.redisKeyPrefix);
    expect(await served.of('edge-1')).toBeUndefined();
    const completions = await stack.tapEvents('snapshot.rebuild.completed');
    const accepted = await call('POST', '/api/v1/snapshots/rebuild', { nodeIds: ['edge-1'] });
    const completion = await until(
      () => Promise.resolve(completions.received.map((event) => event.payload)),
      (payloads) => payloads.some((payload) => payload['requestId'] === accepted.body['requestId']),
    );
    completions.close();

    expect(accepted).toMatchObject({ status: 202, body: { scope: 'proxies', nodeIds: ['edge-1'] } });
    expect(completion).toContainEqual({
      requestId: accepted.body['requestId'],
      nodeIds: ['edge-1'],
      unserved: [],
    });
    expect(await complete('edge-1')).toBe(true);
    sim = await startEnvoySim({ nodeId: 'edge-1', cluster: 'edge', xds: stack.xds });
    const status = await until(
      async () =>
        (await call('GET', '/api/v1/proxies/edge-1/status')).body as {
          resources: Record<string, { status: string }>;
        },
      (current) => TYPES.every((type) => current.resources[type]?.status === 'SYNCED'),
    );
    expect(TYPES.map((type) => status.resources[type]?.status)).toEqual(TYPES.map(() => 'SYNCED'));
  }, 180_000);

  it('publishes again a snapshot whose resources Redis lost while its manifest stayed', async () => {
    await deleteRedisKeys(`${stack.redisKeyPrefix}res:`);
    expect(await complete('edge-1')).toBe(false);

    const accepted = await call('POST', '/api/v1/snapshots/rebuild', { groupId });

    expect(accepted).toMatchObject({ status: 202, body: { scope: 'group', nodeIds: ['edge-1'] } });
    await until(() => complete('edge-1'), Boolean);
  }, 120_000);

  it('refuses a scope that names unknown proxies or both proxies and a group', async () => {
    const unknown = await call('POST', '/api/v1/snapshots/rebuild', { nodeIds: ['edge-1', 'edge-9'] });
    const both = await call('POST', '/api/v1/snapshots/rebuild', { nodeIds: ['edge-1'], groupId });
    const tenant = await call('POST', '/api/v1/snapshots/rebuild');

    expect(unknown).toMatchObject({ status: 404, body: { detail: expect.stringContaining('edge-9') } });
    expect(both).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining('name proxies (nodeIds) or a group (groupId), not both') },
    });
    expect(tenant).toMatchObject({ status: 202, body: { scope: 'tenant', nodeIds: [] } });
  }, 60_000);
});
