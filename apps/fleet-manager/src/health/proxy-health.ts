import { type ProxyDesiredState, type ProxyHealth, type ProxyStatus } from '@envoy-fleet/domain';

/** What fleet-manager knows about a proxy when it judges its health. */
export interface HealthSignals {
  readonly desiredState: ProxyDesiredState;
  /** The container state the node agent last reported. */
  readonly status: ProxyStatus;
  /** The agent's probe of Envoy's admin `/ready`; null until probed. */
  readonly ready: boolean | null;
  /** Whether an xds-server replica holds a stream of the proxy. */
  readonly xdsConnected: boolean;
  /** Since when the connection is what it is; null when the proxy never connected. */
  readonly xdsConnectionChangedAt: Date | null;
  readonly createdAt: Date;
  /** The VM's status (heartbeats); null for a proxy no agent manages (registered by hand, no VM). */
  readonly nodeStatus: 'ready' | 'not_ready' | 'draining' | 'unknown' | null;
}

export interface HealthVerdict {
  readonly health: ProxyHealth;
  /** Why it is not healthy, most telling first; empty when healthy. */
  readonly reasons: readonly string[];
}

/**
 * A proxy's health [seed 000 5.2], from the agent's reports (container state, admin `/ready`), the xDS
 * connection and the VM's heartbeats:
 *
 * - **unknown** when nothing current can be known: the proxy is not meant to run, its VM missed its
 *   heartbeats (`not_ready`, `unknown`), its container is being created or in an unknown state, or
 *   `/ready` was not probed yet;
 * - **unhealthy** when a signal says it cannot serve: the container failed or stopped, `/ready` fails,
 *   or no xDS stream has been open for longer than `disconnectGraceMs` (a reconnect within the grace
 *   period does not count);
 * - **healthy** otherwise: the container runs, `/ready` answers and it holds an xDS stream.
 *
 * A proxy no agent manages (no VM: an Envoy started outside the fleet) is judged by its xDS connection
 * alone. Unhealthy signals win over unknown ones, so a failing proxy on a silent VM is not hidden.
 */
export function proxyHealth(signals: HealthSignals, now: Date, disconnectGraceMs: number): HealthVerdict {
  if (signals.desiredState !== 'running') {
    return { health: 'unknown', reasons: [`not meant to run (desired state ${signals.desiredState})`] };
  }
  const unhealthy: string[] = [];
  const unknown: string[] = [];
  const managed = signals.nodeStatus !== null;
  if (signals.nodeStatus === 'not_ready' || signals.nodeStatus === 'unknown') {
    unknown.push(`its VM is ${signals.nodeStatus}: the node agent missed its heartbeats`);
  }
  if (managed) {
    if (signals.status === 'failed' || signals.status === 'stopped') {
      unhealthy.push(`container ${signals.status}`);
    } else if (signals.status !== 'running') {
      unknown.push(`container ${signals.status}`);
    }
    if (signals.ready === false) unhealthy.push('admin /ready fails');
    else if (signals.ready === null) unknown.push('admin /ready not probed yet');
  }
  if (!signals.xdsConnected) {
    const since = signals.xdsConnectionChangedAt ?? signals.createdAt;
    if (now.getTime() - since.getTime() > disconnectGraceMs) {
      // Stable wording (no running duration), so a pass writes a reason once, not on every round.
      unhealthy.push(
        signals.xdsConnectionChangedAt === null
          ? `never connected to xDS within ${disconnectGraceMs} ms`
          : `xDS disconnected for longer than ${disconnectGraceMs} ms`,
      );
    } else {
      unknown.push('xDS disconnected, within the grace period');
    }
  }
  if (unhealthy.length > 0) return { health: 'unhealthy', reasons: [...unhealthy, ...unknown] };
  if (unknown.length > 0) return { health: 'unknown', reasons: unknown };
  return { health: 'healthy', reasons: [] };
}
