import { CONTAINER_STATES } from '@envoy-fleet/domain';
import { isUp, proxyStatusOf } from './container-status';

describe(proxyStatusOf.name, () => {
  it('maps the Docker states', () => {
    expect(proxyStatusOf('created', null, false)).toBe('created');
    expect(proxyStatusOf('running', null, false)).toBe('running');
    expect(proxyStatusOf('restarting', null, false)).toBe('starting');
    expect(proxyStatusOf('dead', null, false)).toBe('failed');
  });

  it('tells a stop from a crash', () => {
    expect(proxyStatusOf('exited', 0, false)).toBe('stopped');
    expect(proxyStatusOf('exited', 143, true)).toBe('stopped');
    expect(proxyStatusOf('exited', 137, false)).toBe('failed');
  });
});

describe(isUp.name, () => {
  it('counts a container as up while its process exists, paused included, as the domain status does', () => {
    const up = CONTAINER_STATES.filter(isUp);

    expect(up).toEqual(['running', 'paused', 'restarting']);
    for (const state of CONTAINER_STATES) {
      expect(['running', 'starting'].includes(proxyStatusOf(state, null, false))).toBe(isUp(state));
    }
  });
});
