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
  acked: { configVersion: { number: number } | null } | null;
}
interface DeliveryStatus {
  resources: Record<'listener' | 'route_config' | 'cluster' | 'endpoint', ResourceStatus>;
}

/**
 * A version the fleet rejected is not sent to proxies that connect later (issue 6), on the real
 * processes: edge-1 (an Envoy build without the CORS filter) NACKs version 2 lastingly; edge-2, created
 * afterwards with a build that has the filter, gets version 1, the last one ACKed; once an operator
 * releases version 2, edge-2 gets it.
 */
describe('a lastingly NACKed version withheld from later proxies', () => {
  let stack: RunningStack;
  const sims: EnvoySimProcess[] = [];
  /** `proxy.sync.changed` events the api's SSE stream delivers, in order. */
  let events: EventTap | undefined;
  const nacked = () =>
    (events?.received ?? [])
      .map(({ payload }) => payload as { status: string; nodeId: string; configVersionId: string | null })
      .filter((payload) => payload.status === 'NACKED');
  let groupId: string;
  let configId: string;

  beforeAll(async () => {
    stack = await startStack({
      migrate: runMigrations,
      label: 'nack-withholding',
      env: { 'fleet-manager': { NACK_TRANSIENT_WINDOW_MS: '500' } },
    });
  }, 120_000);

  afterAll(async () => {
    events?.close();
    await Promise.all(sims.map((sim) => sim.stop()));
    await stack?.stop();
  }, 60_000);

  const call = async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const response = await stack.api(method, path, body, headers);
    return { status: response.status, body: (await response.json()) as T };
  };
  const ok = async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const response = await call<T>(method, path, body, headers);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(response)}`);
    return response.body;
  };
  const until = <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> =>
    stack.until('the expected state', read, done);
  const status = (nodeId: string) => ok<DeliveryStatus>('GET', `/api/v1/proxies/${nodeId}/status`);
  const listenerOn = (number: number) => (current: DeliveryStatus) =>
    current.resources.listener.status === 'SYNCED' &&
    current.resources.listener.acked?.configVersion?.number === number;
  const addProxy = (nodeId: string, index: number) =>
    ok('POST', '/api/v1/proxies', {
      nodeId,
      groupId,
      containerName: `envoy-proxy-${nodeId}`,
      proxyPort: 10000 + index,
      adminPort: 9901 + index,
      image: 'envoyproxy/envoy:v1.31.0',
    });

  it('serves a proxy created after the NACK the last ACKed version, and the NACKed one once released', async () => {
    events = await stack.tapEvents('proxy.sync.changed');
    groupId = (await ok<{ id: string }>('POST', '/api/v1/proxy-groups', { name: 'edge' })).id;
    await addProxy('edge-1', 1);
    configId = (await ok<{ id: string }>('POST', '/api/v1/configs', document('edge-config.json'))).id;
    await ok('POST', '/api/v1/bindings', { mode: 'group', groupId, configId });
    sims.push(
      await startEnvoySim({
        nodeId: 'edge-1',
        cluster: 'edge',
        xds: stack.xds,
        args: ['--reject-extension', 'envoy.filters.http.cors'],
      }),
    );
    await until(() => status('edge-1'), listenerOn(1));
    await ok('PATCH', `/api/v1/configs/${configId}`, document('cors-listener.json'), {
      'content-type': 'application/merge-patch+json',
      'if-match': 'W/"1"',
    });
    await until(
      () => Promise.resolve(nacked()),
      (current) => current.some((each) => each.nodeId === 'edge-1'),
    );

    await addProxy('edge-2', 2);
    sims.push(await startEnvoySim({ nodeId: 'edge-2', cluster: 'edge', xds: stack.xds }));
    const withheld = await until(() => status('edge-2'), listenerOn(1));
    const notWithheld = await call<{ detail: string }>(
      'POST',
      `/api/v1/configs/${configId}/versions/1/release`,
    );
    const released = await call<{ nacksReleased: number; nodeIds: string[] }>(
      'POST',
      `/api/v1/configs/${configId}/versions/2/release`,
    );
    const afterRelease = await until(() => status('edge-2'), listenerOn(2));

    expect(withheld.resources.listener.acked?.configVersion?.number).toBe(1);
    expect(notWithheld).toMatchObject({
      status: 409,
      body: { detail: expect.stringContaining('version 1 is not withheld') as unknown },
    });
    expect(released).toMatchObject({ status: 200, body: { nacksReleased: 1, nodeIds: ['edge-1'] } });
    expect(afterRelease.resources.listener.status).toBe('SYNCED');
    expect((await status('edge-1')).resources.listener.status).toBe('NACKED');
  }, 180_000);
});
