import type { ContainerState, ProxyStatus } from '@envoy-fleet/domain';

/** The domain's proxy status for a Docker state; an exited container failed unless it exited cleanly. */
export function proxyStatusOf(
  state: ContainerState,
  exitCode: number | null,
  stoppedByAgent: boolean,
): ProxyStatus {
  switch (state) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
      return 'running';
    case 'restarting':
      return 'starting';
    case 'removing':
      return 'stopped';
    case 'exited':
      return stoppedByAgent || exitCode === 0 || exitCode === null ? 'stopped' : 'failed';
    case 'dead':
      return 'failed';
  }
}
