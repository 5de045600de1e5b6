import type { ContainerState, ProxyStatus } from '@envoy-fleet/domain';

/**
 * The one meaning of "running" for the agent: the container's process exists (running, restarting or
 * paused). Such a container has to be stopped to stop, counts as wanted running when the agent learns it
 * from Docker, and is the domain's `running` (or `starting`); a paused one is unpaused to start it.
 */
export function isUp(state: ContainerState): boolean {
  return state === 'running' || state === 'restarting' || state === 'paused';
}

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
