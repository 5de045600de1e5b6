import { type Rollout, RolloutState, RolloutStrategy } from '@envoy-fleet/proto/management';
import type { RolloutView } from '../modules/rollouts/rollout.dto';
import { applyBodyOf, rolloutMessage } from './rollout-messages';

const GROUP = '5f2c3c1e-8d7a-4a57-9a53-6a0d0b1e8f10';

function request(fields: Partial<Rollout>): Rollout {
  return {
    id: '',
    configId: '',
    target: { proxyIds: [], groupIds: [GROUP], labelSelector: '' },
    configVersion: 0,
    configVersionId: '',
    baseVersionId: '',
    strategy: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
    waves: [{ proxies: 1 }, { percent: 100 }],
    gates: undefined,
    state: RolloutState.ROLLOUT_STATE_UNSPECIFIED,
    currentWave: 0,
    waveProxies: [],
    waveSettleTime: undefined,
    reason: '',
    createdBy: '',
    startTime: undefined,
    finishTime: undefined,
    createTime: undefined,
    updateTime: undefined,
    etag: '',
    ...fields,
  };
}

describe(applyBodyOf.name, () => {
  it('makes the apply body: one target, the waves, and only the gates the request sets', () => {
    expect(
      applyBodyOf(
        request({ configVersion: 3, gates: { bake: { seconds: '45', nanos: 0 }, autoRollback: false } }),
      ),
    ).toEqual({
      groupId: GROUP,
      version: 3,
      rollout: {
        strategy: 'waves',
        waves: [{ proxies: 1 }, { percent: 100 }],
        gates: { bakeSeconds: 45, autoRollback: false },
      },
    });
  });

  it('parses a label selector target and leaves the version out when it is 0', () => {
    const body = applyBodyOf(
      request({
        target: { proxyIds: [], groupIds: [], labelSelector: 'env=prod,tier in (edge)' },
        strategy: RolloutStrategy.ROLLOUT_STRATEGY_ALL_AT_ONCE,
        waves: [],
      }),
    );

    expect(body).toEqual({
      selector: {
        matchLabels: { env: 'prod' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['edge'] }],
      },
      rollout: { strategy: 'all_at_once', waves: [], gates: {} },
    });
  });

  it.each([
    ['no target', { target: undefined }, 'rollout.target'],
    [
      'two targets',
      { target: { proxyIds: [GROUP], groupIds: [GROUP], labelSelector: '' } },
      'rollout.target',
    ],
    [
      'two groups',
      { target: { proxyIds: [], groupIds: [GROUP, GROUP], labelSelector: '' } },
      'rollout.target.group_ids',
    ],
    ['no strategy', { strategy: RolloutStrategy.ROLLOUT_STRATEGY_UNSPECIFIED }, 'rollout.strategy'],
    ['a fractional bake', { gates: { bake: { seconds: '1', nanos: 500_000_000 } } }, 'rollout.gates.bake'],
  ])('refuses %s at its field', (_case, fields: Partial<Rollout>, path) => {
    let thrown: unknown;
    try {
      applyBodyOf(request(fields));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_REQUEST', issues: [{ path }] });
  });
});

describe(rolloutMessage.name, () => {
  it('maps the REST view to the message: enums, waves, gates as a duration, wave proxies, times, ETag', () => {
    const view: RolloutView = {
      id: 'r1',
      configId: 'c1',
      configVersionId: 'v2',
      baseVersionId: null,
      strategy: 'waves',
      waves: [{ proxies: 1 }, { percent: 100 }],
      gates: { bakeSeconds: 30, maxNackedRatio: 0, minHealthyRatio: 1, autoRollback: true },
      state: 'rolled_back',
      currentWave: 1,
      waveProxies: [['p1'], ['p1', 'p2']],
      waveSettledAt: null,
      reason: 'proxy p2 NACKed',
      createdBy: 'api_key:k1',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:05:00.250Z',
      version: 4,
      createdAt: '2026-11-25T09:59:00.000Z',
      updatedAt: '2026-11-25T10:05:00.250Z',
    };

    expect(rolloutMessage(view)).toMatchObject({
      baseVersionId: '',
      strategy: RolloutStrategy.ROLLOUT_STRATEGY_WAVES,
      waves: [{ proxies: 1 }, { percent: 100 }],
      gates: { bake: { seconds: '30', nanos: 0 }, maxNackedRatio: 0, minHealthyRatio: 1, autoRollback: true },
      state: RolloutState.ROLLOUT_STATE_ROLLED_BACK,
      waveProxies: [{ proxyIds: ['p1'] }, { proxyIds: ['p1', 'p2'] }],
      waveSettleTime: undefined,
      finishTime: { seconds: String(Date.parse('2026-11-25T10:05:00Z') / 1000), nanos: 250_000_000 },
      etag: 'W/"4"',
    });
  });
});
