import { type HealthSignals, proxyHealth } from './proxy-health';

const NOW = new Date('2026-11-25T12:00:00Z');
const GRACE_MS = 30_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const signals = (fields: Partial<HealthSignals> = {}): HealthSignals => ({
  desiredState: 'running',
  status: 'running',
  ready: true,
  xdsConnected: true,
  xdsConnectionChangedAt: ago(60_000),
  createdAt: ago(3_600_000),
  nodeStatus: 'ready',
  ...fields,
});
const sut = (fields: Partial<HealthSignals> = {}) => proxyHealth(signals(fields), NOW, GRACE_MS);

describe(proxyHealth.name, () => {
  it('is healthy when the container runs, /ready answers and an xDS stream is open', () => {
    expect(sut()).toEqual({ health: 'healthy', reasons: [] });
    expect(sut({ nodeStatus: 'draining' })).toEqual({ health: 'healthy', reasons: [] });
  });

  it('is unhealthy when the container failed or stopped, or /ready fails', () => {
    expect(sut({ status: 'failed' })).toEqual({ health: 'unhealthy', reasons: ['container failed'] });
    expect(sut({ status: 'stopped' })).toEqual({ health: 'unhealthy', reasons: ['container stopped'] });
    expect(sut({ ready: false })).toEqual({ health: 'unhealthy', reasons: ['admin /ready fails'] });
  });

  it('forgives a disconnect within the grace period and is unhealthy after it', () => {
    expect(sut({ xdsConnected: false, xdsConnectionChangedAt: ago(GRACE_MS - 1) })).toEqual({
      health: 'unknown',
      reasons: ['xDS disconnected, within the grace period'],
    });
    expect(sut({ xdsConnected: false, xdsConnectionChangedAt: ago(GRACE_MS + 1) })).toEqual({
      health: 'unhealthy',
      reasons: ['xDS disconnected for longer than 30000 ms'],
    });
    expect(sut({ xdsConnected: false, xdsConnectionChangedAt: null, createdAt: ago(GRACE_MS + 1) })).toEqual({
      health: 'unhealthy',
      reasons: ['never connected to xDS within 30000 ms'],
    });
  });

  it('is unknown while the VM misses heartbeats, the container starts or /ready was not probed', () => {
    expect(sut({ nodeStatus: 'not_ready' })).toEqual({
      health: 'unknown',
      reasons: ['its VM is not_ready: the node agent missed its heartbeats'],
    });
    expect(sut({ status: 'starting', ready: null })).toEqual({
      health: 'unknown',
      reasons: ['container starting', 'admin /ready not probed yet'],
    });
  });

  it('lets an unhealthy signal win over unknown ones', () => {
    expect(sut({ nodeStatus: 'not_ready', status: 'failed' })).toEqual({
      health: 'unhealthy',
      reasons: ['container failed', 'its VM is not_ready: the node agent missed its heartbeats'],
    });
  });

  it('judges a proxy no agent manages by its xDS connection alone', () => {
    const unmanaged = { nodeStatus: null, status: 'unknown', ready: null } as const;
    expect(sut(unmanaged)).toEqual({ health: 'healthy', reasons: [] });
    expect(sut({ ...unmanaged, xdsConnected: false, xdsConnectionChangedAt: ago(GRACE_MS + 1) })).toEqual({
      health: 'unhealthy',
      reasons: ['xDS disconnected for longer than 30000 ms'],
    });
  });

  it('is unknown for a proxy not meant to run', () => {
    expect(sut({ desiredState: 'stopped', status: 'stopped' })).toEqual({
      health: 'unknown',
      reasons: ['not meant to run (desired state stopped)'],
    });
  });
});
