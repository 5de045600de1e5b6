import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrations } from '@envoy-fleet/db';
import {
  type EnvoySimProcess,
  type RunningStack,
  startEnvoySim,
  startStack,
} from '@envoy-fleet/test-kit/stack';

const QUICKSTART = join(__dirname, '..', '..', '..', 'docs', 'quickstart');
const document = (file: string): unknown => JSON.parse(readFileSync(join(QUICKSTART, file), 'utf8'));
const WAIT_MS = 60_000;
const NODE_IDS = ['edge-1', 'edge-2', 'edge-3'];
const TYPES = ['listener', 'route_config', 'cluster', 'endpoint'] as const;

interface ResourceStatus {
  status: string;
  acked: { xdsVersion: string; at: string; configVersion: { number: number } | null } | null;
  nack: { message: string; configVersion: { number: number } | null } | null;
}
interface DeliveryStatus {
  connected: boolean;
  resources: Record<(typeof TYPES)[number] | 'secret', ResourceStatus>;
}
interface Rollout {
  id: string;
  state: string;
  currentWave: number;
  waveProxies: string[][];
  reason: string | null;
  version: number;
}

/**
 * Rollouts on the real processes: api, fleet-manager and xds-server, with three envoy-sim proxies that
 * lack the CORS filter. A staged rollout (one canary, then 50 %, then 100 %) moves the proxies wave by
 * wave and completes; a rollout of a listener the proxies reject is rolled back on the canary's NACK,
 * and every proxy ends SYNCED on the previous version.
 */
describe('rollouts to xDS clients', () => {
  let stack: RunningStack;
  const sims: EnvoySimProcess[] = [];
  let configId: string;
  let groupId: string;
  const proxyIds = new Map<string, string>();

  beforeAll(async () => {
    stack = await startStack({
      migrate: runMigrations,
      label: 'rollout-delivery',
      env: { 'fleet-manager': { ROLLOUT_INTERVAL_MS: '200', NACK_TRANSIENT_WINDOW_MS: '500' } },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
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
  const status = (nodeId: string) => call<DeliveryStatus>('GET', `/api/v1/proxies/${nodeId}/status`);
  const statuses = async () => Promise.all(NODE_IDS.map(status));
  const when = <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> =>
    stack.until('the expected state', read, done, { timeoutMs: WAIT_MS });
  const rollout = (id: string) => call<Rollout>('GET', `/api/v1/rollouts/${id}`);
  const finished = (id: string) =>
    when(
      () => rollout(id),
      (current) => ['completed', 'aborted', 'rolled_back'].includes(current.state),
    );
  /**
   * Every proxy SYNCED on every type, `type` last ACKed from config version `number` (a type a version
   * does not change is not sent again, so its ACK stays tied to the version that changed it).
   */
  const onVersion = (type: (typeof TYPES)[number], number: number) => (current: DeliveryStatus[]) =>
    current.every(
      (each) =>
        TYPES.every((other) => each.resources[other].status === 'SYNCED') &&
        each.resources[type].acked?.configVersion?.number === number,
    );
  const configPatch = async (file: string) => {
    const config = await call<{ version: number }>('GET', `/api/v1/configs/${configId}`);
    await call('PATCH', `/api/v1/configs/${configId}`, document(file), {
      'content-type': 'application/merge-patch+json',
      'if-match': `W/"${config.version}"`,
    });
  };
  const applyRollout = async (plan: unknown) =>
    (
      await call<{ rollout: Rollout }>('POST', `/api/v1/configs/${configId}/apply`, {
        groupId,
        rollout: plan,
      })
    ).rollout;

  it('delivers the first version to every proxy all at once', async () => {
    groupId = (await call<{ id: string }>('POST', '/api/v1/proxy-groups', { name: 'edge' })).id;
    for (const [index, nodeId] of NODE_IDS.entries()) {
      const proxy = await call<{ id: string }>('POST', '/api/v1/proxies', {
        nodeId,
        groupId,
        containerName: `envoy-proxy-${nodeId}`,
        proxyPort: 10000 + index * 10,
        adminPort: 9901 + index * 10,
        image: 'envoyproxy/envoy:v1.31.0',
      });
      proxyIds.set(nodeId, proxy.id);
    }
    configId = (await call<{ id: string }>('POST', '/api/v1/configs', document('edge-config.json'))).id;
    const first = await applyRollout({ strategy: 'all_at_once', gates: { bakeSeconds: 0 } });
    for (const nodeId of NODE_IDS) {
      sims.push(
        await startEnvoySim({
          nodeId,
          cluster: 'edge',
          xds: stack.xds,
          args: ['--reject-extension', 'envoy.filters.http.cors'],
        }),
      );
    }

    const done = await finished(first.id);

    expect(done).toMatchObject({ state: 'completed', currentWave: 0, reason: null });
    expect(done.waveProxies).toEqual([NODE_IDS.map((nodeId) => proxyIds.get(nodeId))]);
    await when(statuses, onVersion('listener', 1));
  }, 180_000);

  it('moves the proxies wave by wave, a canary first, and completes', async () => {
    await configPatch('route-change.json');
    const staged = await applyRollout({
      strategy: 'waves',
      waves: [{ proxies: 1 }, { percent: 50 }, { percent: 100 }],
      gates: { bakeSeconds: 1 },
    });

    const canaryRunning = await when(
      () => rollout(staged.id),
      (current) => current.state === 'running' && current.waveProxies.length === 3,
    );
    const [canary, second, third] = canaryRunning.waveProxies.map((wave) => {
      const nodeId = NODE_IDS.find((each) => wave.includes(proxyIds.get(each) ?? ''));
      if (wave.length !== 1 || nodeId === undefined) throw new Error(`unexpected wave ${wave.join()}`);
      return nodeId;
    }) as [string, string, string];
    const done = await finished(staged.id);

    expect(done).toMatchObject({ state: 'completed', currentWave: 2, reason: null });
    const final = await when(statuses, onVersion('route_config', 2));
    const ackedAt = (nodeId: string) =>
      Date.parse(final[NODE_IDS.indexOf(nodeId)]?.resources.route_config.acked?.at ?? '');
    expect(ackedAt(canary)).toBeLessThan(ackedAt(second));
    expect(ackedAt(second)).toBeLessThan(ackedAt(third));
  }, 180_000);

  it('rolls every proxy back to the previous version when the canary NACKs the new one', async () => {
    const before = await statuses();
    await configPatch('cors-listener.json');
    const rejected = await applyRollout({
      strategy: 'waves',
      waves: [{ proxies: 1 }, { percent: 100 }],
      gates: { bakeSeconds: 1, maxNackedRatio: 0, autoRollback: true },
    });

    const done = await finished(rejected.id);

    expect(done).toMatchObject({
      state: 'rolled_back',
      currentWave: 0,
      reason: '1 of 1 proxies NACKed the new version',
    });
    const [canaryId] = done.waveProxies[0] ?? [];
    const final = await when(statuses, onVersion('route_config', 2));
    expect(final.every((each) => each.connected)).toBe(true);
    NODE_IDS.forEach((nodeId, index) => {
      if (proxyIds.get(nodeId) === canaryId) return;
      expect(final[index]?.resources.listener).toEqual(before[index]?.resources.listener);
    });
  }, 180_000);
});
