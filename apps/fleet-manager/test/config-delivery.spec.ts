import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '@envoy-fleet/db';
import {
  type EnvoySimProcess,
  type EventTap,
  type RunningStack,
  startEnvoySim,
  startStack,
} from '@envoy-fleet/test-kit/stack';

const QUICKSTART = join(__dirname, '..', '..', '..', 'docs', 'quickstart');
const document = (file: string): unknown => JSON.parse(readFileSync(join(QUICKSTART, file), 'utf8'));

interface ResourceStatus {
  status: string;
  acked: { xdsVersion: string; configVersion: { number: number } | null } | null;
  nack: { xdsVersion: string; message: string; configVersion: { number: number } | null } | null;
}
interface DeliveryStatus {
  connected: boolean;
  resources: Record<'listener' | 'route_config' | 'cluster' | 'endpoint' | 'secret', ResourceStatus>;
}

/**
 * The product's spine, end to end and as separate processes: a config written through the api is built
 * by fleet-manager, served by xds-server to envoy-sim (an Envoy build lacking the CORS filter), ACKed or
 * NACKed, and the api shows what happened per resource type.
 */
describe('config delivery to an xDS client', () => {
  let stack: RunningStack;
  let sim: EnvoySimProcess | undefined;
  let configId: string;
  /** `proxy.sync.changed` events the api's SSE stream delivers, in order. */
  let events: EventTap | undefined;
  const announced = () =>
    (events?.received ?? []).map(
      ({ payload }) => payload as { status: string; resourceType: string; errorDetail: string | null },
    );

  beforeAll(async () => {
    stack = await startStack({ migrate: runMigrations, label: 'config-delivery' });
  }, 120_000);

  afterAll(async () => {
    events?.close();
    await sim?.stop();
    await stack?.stop();
  }, 60_000);

  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<T> => {
    const response = await stack.api(method, path, body, headers);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const status = () => call<DeliveryStatus>('GET', '/api/v1/proxies/edge-1/status');
  /** Polls the proxy's status until `done` holds. */
  const statusWhen = (done: (status: DeliveryStatus) => boolean): Promise<DeliveryStatus> =>
    stack.until('the expected status of edge-1', status, done);
  const configPatch = (file: string, etag: string) =>
    call('PATCH', `/api/v1/configs/${configId}`, document(file), {
      'content-type': 'application/merge-patch+json',
      'if-match': etag,
    });
  const announcedWhen = (done: () => boolean): Promise<unknown> =>
    stack.until('the announcement', () => Promise.resolve(announced()), done);
  const simListenerVersion = async (): Promise<string | undefined> => {
    const stats = await (
      await fetch(`${sim?.adminUrl}/stats?filter=listener_manager.lds.version_text`)
    ).text();
    return /version_text: "?([^"\n]*)"?/.exec(stats)?.[1];
  };

  it('is SYNCED per type, follows a route change, is NACKED with the proxy’s message (announced on the api’s event stream, readable from the config version with the listener it names) while it keeps its last good config, and SYNCED again after a rollback', async () => {
    events = await stack.tapEvents('proxy.sync.changed');
    const group = await call<{ id: string }>('POST', '/api/v1/proxy-groups', { name: 'edge' });
    await call('POST', '/api/v1/proxies', {
      nodeId: 'edge-1',
      groupId: group.id,
      containerName: 'envoy-proxy-edge-001',
      proxyPort: 10000,
      adminPort: 9901,
      image: 'envoyproxy/envoy:v1.31.0',
    });
    configId = (await call<{ id: string }>('POST', '/api/v1/configs', document('edge-config.json'))).id;
    await call('POST', '/api/v1/bindings', { mode: 'group', groupId: group.id, configId });
    sim = await startEnvoySim({
      nodeId: 'edge-1',
      cluster: 'edge',
      xds: stack.xds,
      args: ['--reject-extension', 'envoy.filters.http.cors'],
    });

    const synced = await statusWhen((current) =>
      (['listener', 'route_config', 'cluster', 'endpoint'] as const).every(
        (type) => current.resources[type].acked?.configVersion?.number === 1,
      ),
    );
    expect(synced.connected).toBe(true);
    expect(
      Object.fromEntries(Object.entries(synced.resources).map(([type, each]) => [type, each.status])),
    ).toEqual({
      listener: 'SYNCED',
      route_config: 'SYNCED',
      cluster: 'SYNCED',
      endpoint: 'SYNCED',
      secret: 'NOT_SENT',
    });

    await configPatch('route-change.json', 'W/"1"');
    const routed = await statusWhen(
      (current) => current.resources.route_config.acked?.configVersion?.number === 2,
    );
    expect(routed.resources.route_config.status).toBe('SYNCED');
    expect(routed.resources.route_config.acked?.xdsVersion).not.toBe(
      synced.resources.route_config.acked?.xdsVersion,
    );
    const goodListener = routed.resources.listener.acked?.xdsVersion;

    await configPatch('cors-listener.json', 'W/"2"');
    const rejected = await statusWhen((current) => current.resources.listener.status === 'NACKED');
    expect(rejected.resources.listener.nack).toEqual({
      xdsVersion: expect.not.stringMatching(`^${goodListener}$`) as unknown,
      at: expect.any(String) as unknown,
      message: expect.stringContaining(
        "Didn't find a registered implementation for 'envoy.filters.http.cors'",
      ) as unknown,
      configVersion: { id: expect.any(String) as unknown, configId, number: 3 },
    });
    expect(rejected.resources.listener.acked?.xdsVersion).toBe(goodListener);
    expect(await simListenerVersion()).toBe(goodListener);
    await announcedWhen(() => announced().some((event) => event.status === 'NACKED'));
    expect(announced().filter((event) => event.status === 'NACKED')).toEqual([
      expect.objectContaining({
        resourceType: 'listener',
        errorDetail: expect.stringContaining('envoy.filters.http.cors') as unknown,
      }),
    ]);

    const rejection = await call<{ rejections: unknown[] }>(
      'GET',
      `/api/v1/configs/${configId}/versions/3/deliveries/summary`,
    );
    expect(rejection.rejections).toEqual([
      expect.objectContaining({
        resourceType: 'listener',
        resources: ['http'],
        proxies: 1,
        nodeIds: ['edge-1'],
      }),
    ]);
    const nacks = await call<{ items: unknown[] }>(
      'GET',
      `/api/v1/configs/${configId}/versions/3/deliveries?status=nacked`,
    );
    expect(nacks.items).toEqual([
      expect.objectContaining({ nodeId: 'edge-1', resourceType: 'listener', rejectedResources: ['http'] }),
    ]);

    await call('POST', `/api/v1/configs/${configId}/versions/2/rollback`, undefined, { 'if-match': 'W/"3"' });
    const restored = await statusWhen(
      (current) => current.resources.listener.acked?.configVersion?.number === 4,
    );
    expect(restored.resources.listener).toMatchObject({
      status: 'SYNCED',
      nack: null,
      acked: { xdsVersion: goodListener },
    });
    expect(restored.resources.route_config.status).toBe('SYNCED');
  }, 180_000);
});
