import { proxyContainerName, proxyNeedsReconcile } from './proxy.entity';

describe(proxyNeedsReconcile.name, () => {
  it('compares desired state with observed status', () => {
    expect(proxyNeedsReconcile({ desiredState: 'running', status: 'running' })).toBe(false);
    expect(proxyNeedsReconcile({ desiredState: 'running', status: 'failed' })).toBe(true);
    expect(proxyNeedsReconcile({ desiredState: 'stopped', status: 'running' })).toBe(true);
    expect(proxyNeedsReconcile({ desiredState: 'removed', status: 'stopped' })).toBe(true);
  });
});

describe(proxyContainerName.name, () => {
  it('follows envoy-proxy-<group>-<instance>', () => {
    expect(proxyContainerName('edge', 5)).toBe('envoy-proxy-edge-005');
  });
});
