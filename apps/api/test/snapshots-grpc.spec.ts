import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { runMigrations } from '@envoy-fleet/db';
import {
  ControlPlaneServiceClient,
  type GetSnapshotResponse,
  type CreateSnapshotResponse,
} from '@envoy-fleet/proto/management';
import { freePort } from '@envoy-fleet/test-kit/net';
import { deleteRedisKeys } from '@envoy-fleet/test-kit/redis';
import { type RunningStack, startStack } from '@envoy-fleet/test-kit/stack';

const QUICKSTART = join(__dirname, '..', '..', '..', 'docs', 'quickstart');
const document = (file: string): unknown => JSON.parse(readFileSync(join(QUICKSTART, file), 'utf8'));
const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';

/**
 * GetSnapshot and CreateSnapshot of ControlPlaneService on the built api, fleet-manager and xds-server:
 * the api asks fleet-manager over JetStream, which reads the served snapshot from Redis (and, for
 * CreateSnapshot, rebuilds it from PostgreSQL first).
 */
describe('snapshot RPCs', () => {
  let stack: RunningStack;
  let client: ControlPlaneServiceClient;

  beforeAll(async () => {
    const grpcPort = await freePort();
    stack = await startStack({
      migrate: runMigrations,
      label: 'snapshots-grpc',
      env: { api: { GRPC_PORT: grpcPort } },
    });
    client = new ControlPlaneServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  }, 60_000);

  const rpc = <R>(method: 'getSnapshot' | 'createSnapshot', nodeId: string): Promise<R> => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${stack.adminToken}`);
    return new Promise((resolve, reject) => {
      const callback = (error: ServiceError | null, response: R) =>
        error ? reject(error) : resolve(response);
      (
        client[method] as unknown as (
          request: { nodeId: string },
          metadata: Metadata,
          callback: (error: ServiceError | null, response: R) => void,
        ) => void
      ).call(client, { nodeId }, metadata, callback);
    });
  };
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error: ServiceError) => error.code,
    );

  it('reads the served snapshot, and rebuilds one Redis lost', async () => {
    const api = async (method: string, path: string, body?: unknown) =>
      (await (await stack.api(method, path, body)).json()) as { id: string };
    const groupId = (await api('POST', '/api/v1/proxy-groups', { name: 'edge' })).id;
    await api('POST', '/api/v1/proxies', {
      nodeId: 'edge-1',
      groupId,
      containerName: 'envoy-proxy-edge-001',
      proxyPort: 10000,
      adminPort: 9901,
      image: 'envoyproxy/envoy:v1.31.0',
    });
    const configId = (await api('POST', '/api/v1/configs', document('edge-config.json'))).id;
    await api('POST', '/api/v1/bindings', { mode: 'group', groupId, configId });
    let served: GetSnapshotResponse | undefined;
    for (let attempt = 0; served === undefined && attempt < 100; attempt += 1) {
      served = await rpc<GetSnapshotResponse>('getSnapshot', 'edge-1').catch(() => undefined);
      if (served === undefined) await sleep(200);
    }

    await deleteRedisKeys(stack.redisKeyPrefix);
    const lost = await code(rpc('getSnapshot', 'edge-1'));
    const rebuilt = await rpc<CreateSnapshotResponse>('createSnapshot', 'edge-1');
    const unknown = await code(rpc('getSnapshot', 'edge-9'));

    expect(served?.snapshot).toMatchObject({
      nodeId: 'edge-1',
      manifestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const listener = served?.snapshot?.resources.find((resource) => resource.typeUrl === LISTENER);
    expect(listener).toMatchObject({
      name: 'http',
      version: expect.stringMatching(/^[0-9a-f]{64}$/),
      resource: expect.objectContaining({ name: 'http' }),
    });
    expect(lost).toBe(GrpcStatus.NOT_FOUND);
    expect(rebuilt.snapshot).toEqual(served?.snapshot);
    expect(unknown).toBe(GrpcStatus.NOT_FOUND);
  }, 180_000);
});
