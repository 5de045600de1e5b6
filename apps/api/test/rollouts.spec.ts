import type { Page } from '../src/http/list-query';
import type { CreatedApiKeyView } from '../src/modules/api-keys/api-key.dto';
import type { ConfigApplyView } from '../src/modules/config-bindings/config-apply.dto';
import type { ConfigChangeView } from '../src/modules/configs/config.dto';
import type { ProxyView } from '../src/modules/proxies/proxy.dto';
import type { ProxyGroupView } from '../src/modules/proxy-groups/proxy-group.dto';
import type { RolloutView } from '../src/modules/rollouts/rollout.dto';
import { edgeConfig } from './fixtures/proxy-configs';
import { startApi, type ApiUnderTest } from './support/api-under-test';

const ROLLOUTS = '/api/v1/rollouts';
const WAVES = {
  strategy: 'waves',
  waves: [{ proxies: 1 }, { percent: 100 }],
  gates: { bakeSeconds: 5, autoRollback: false },
};

/**
 * Rollouts through the api (fleet-manager is not running here: what the engine does is set with SQL
 * where a test needs a running rollout).
 */
describe('rollouts', () => {
  let api: ApiUnderTest;
  let group: ProxyGroupView;
  let config: ConfigChangeView;

  beforeAll(async () => {
    api = await startApi('rollouts');
    group = (await api.admin.post<ProxyGroupView>('/api/v1/proxy-groups', { name: 'edge' })).body;
    await api.admin.post<ProxyView>('/api/v1/proxies', {
      nodeId: 'edge-1',
      groupId: group.id,
      containerName: 'edge-1',
      proxyPort: 10000,
      adminPort: 10001,
      image: 'envoyproxy/envoy:v1.31',
    });
    config = (await api.admin.post<ConfigChangeView>('/api/v1/configs', edgeConfig('edge'))).body;
  });

  afterAll(async () => {
    await api.close();
  });

  const apply = (rollout: unknown) =>
    api.admin.post<ConfigApplyView>(`/api/v1/configs/${config.id}/apply`, { groupId: group.id, rollout });
  const command = (rollout: RolloutView, name: string, etag?: string) =>
    api.admin.post<RolloutView>(`${ROLLOUTS}/${rollout.id}/${name}`, undefined, {
      headers: etag === undefined ? {} : { 'if-match': etag },
    });

  it('refuses a plan of the wrong shape (400) or breaking the plan rules (422)', async () => {
    const unknownField = await apply({ strategy: 'waves', waves: [{ percent: 100, extra: 1 }] });
    const short = await apply({ strategy: 'waves', waves: [{ percent: 50 }] });
    const countsLast = await apply({ strategy: 'waves', waves: [{ percent: 50 }, { proxies: 2 }] });

    expect(unknownField.status).toBe(400);
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({
      errors: [{ path: 'waves[0].percent', message: 'the last wave must reach 100' }],
    });
    expect(countsLast.status).toBe(422);
    expect(await api.sql(`SELECT id FROM rollouts`)).toEqual([]);
  });

  it('creates a pending rollout of the newest version with apply, its event, and one active rollout per config', async () => {
    const applied = await apply(WAVES);
    const second = await apply({ strategy: 'all_at_once' });

    expect(applied.status).toBe(200);
    const rollout = applied.body.rollout;
    expect(rollout).toMatchObject({
      configId: config.id,
      configVersionId: applied.body.versionId,
      baseVersionId: applied.body.versionId,
      strategy: 'waves',
      waves: [{ proxies: 1 }, { percent: 100 }],
      gates: { bakeSeconds: 5, maxNackedRatio: 0, minHealthyRatio: 1, autoRollback: false },
      state: 'pending',
      currentWave: 0,
      waveProxies: [],
      version: 1,
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ details: { rolloutId: rollout?.id, state: 'pending' } });
    const events = await api.sql<{ aggregate_id: string; payload: { state: string } }>(
      `SELECT aggregate_id, payload FROM outbox WHERE type = 'rollout.changed'`,
    );
    expect(events).toEqual([
      { aggregate_id: rollout?.id, payload: expect.objectContaining({ state: 'pending' }) },
    ]);
    const applies = await api.sql<{ payload: { rolloutId: string } }>(
      `SELECT payload FROM outbox WHERE type = 'config.applied'`,
    );
    expect(applies.map((event) => event.payload.rolloutId)).toEqual([rollout?.id]);
  });

  it('lists and reads rollouts with their ETag', async () => {
    const listed = await api.admin.get<Page<RolloutView>>(`${ROLLOUTS}?configId=${config.id}&state=pending`);
    const [rollout] = listed.body.items;
    const read = await api.admin.get<RolloutView>(`${ROLLOUTS}/${rollout?.id}`);
    const missing = await api.admin.get(`${ROLLOUTS}/00000000-0000-4000-8000-000000000000`);

    expect(listed.body.items).toHaveLength(1);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual(rollout);
    expect(missing.status).toBe(404);
  });

  it('pauses, resumes and promotes a running rollout, under If-Match, refusing what its state forbids', async () => {
    const [pending] = (await api.admin.get<Page<RolloutView>>(ROLLOUTS)).body.items;
    if (pending === undefined) throw new Error('no rollout');
    expect((await command(pending, 'promote', 'W/"1"')).status).toBe(409);
    const proxyId = (await api.sql<{ id: string }>(`SELECT id FROM proxies`))[0]?.id;
    await api.sql(
      `UPDATE rollouts SET state = 'running', wave_proxies = $2::jsonb, version = 2 WHERE id = $1`,
      [pending.id, JSON.stringify([[proxyId], []])],
    );

    const withoutIfMatch = await command(pending, 'pause');
    const stale = await command(pending, 'pause', 'W/"1"');
    const paused = await command(pending, 'pause', 'W/"2"');
    const pausedAgain = await command(pending, 'pause', 'W/"3"');
    const resumed = await command(pending, 'resume', 'W/"3"');
    const promoted = await command(pending, 'promote', 'W/"4"');
    const completed = await command(pending, 'promote', 'W/"5"');

    expect(withoutIfMatch.status).toBe(428);
    expect(stale.status).toBe(412);
    expect(paused.body).toMatchObject({ state: 'paused', reason: expect.stringMatching(/^paused by /) });
    expect(paused.headers.get('etag')).toBe('W/"3"');
    expect(pausedAgain.status).toBe(409);
    expect(pausedAgain.headers.get('content-type')).toContain('application/problem+json');
    expect(resumed.body).toMatchObject({ state: 'running', reason: null });
    expect(promoted.body).toMatchObject({ state: 'running', currentWave: 1 });
    expect(completed.body).toMatchObject({ state: 'completed', currentWave: 1 });
    expect(completed.body.finishedAt).not.toBeNull();
    const states = await api.sql<{ payload: { state: string; wave: number } }>(
      `SELECT payload FROM outbox WHERE type = 'rollout.changed' AND aggregate_id = $1 ORDER BY id`,
      [pending.id],
    );
    expect(states.map((event) => `${event.payload.state}@${event.payload.wave}`)).toEqual([
      'pending@0',
      'paused@0',
      'running@0',
      'running@1',
      'completed@1',
    ]);
  });

  it('bases the next rollout on what the last one left, and aborts back to it', async () => {
    await api.admin.put(`/api/v1/configs/${config.id}`, edgeConfig('edge'), {
      headers: {
        'if-match': `W/"${(await api.admin.get<ConfigChangeView>(`/api/v1/configs/${config.id}`)).body.version}"`,
      },
    });
    const completed = (await api.admin.get<Page<RolloutView>>(`${ROLLOUTS}?state=completed`)).body.items[0];
    const next = (await apply({ strategy: 'all_at_once' })).body.rollout;
    if (next === null || completed === undefined) throw new Error('no rollout');

    const aborted = await command(next, 'abort', 'W/"1"');

    expect(next.configVersionId).not.toBe(completed.configVersionId);
    expect(next.baseVersionId).toBe(completed.configVersionId);
    expect(aborted.body).toMatchObject({ state: 'aborted', reason: expect.stringMatching(/^aborted by /) });
    expect((await command(next, 'resume', 'W/"2"')).status).toBe(409);
  });

  it('lets a viewer read rollouts but not steer them (403)', async () => {
    const viewer = (
      await api.admin.post<CreatedApiKeyView>('/api/v1/api-keys', { name: 'rollout-viewer', role: 'viewer' })
    ).body;
    const [rollout] = (await api.admin.get<Page<RolloutView>>(ROLLOUTS)).body.items;
    if (rollout === undefined) throw new Error('no rollout');
    const client = api.anonymous.as(viewer.secret);

    expect((await client.get(`${ROLLOUTS}/${rollout.id}`)).status).toBe(200);
    expect(
      (
        await client.post(`${ROLLOUTS}/${rollout.id}/abort`, undefined, {
          headers: { 'if-match': `W/"${rollout.version}"` },
        })
      ).status,
    ).toBe(403);
  });
});
