import {
  type ProxyDesiredState as DesiredStateName,
  type ProxyHealth,
  type ProxyStatus as ProxyStatusName,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
  type XdsSyncStatus,
} from '@envoy-fleet/domain';
import {
  Health,
  type Proxy,
  ProxyDesiredState,
  ProxyPhase,
  type ResourceLimits,
  XdsSyncState,
  type XdsTypeStatus,
} from '@envoy-fleet/proto/management';
import { type ResourceKind, typeUrlOf } from '@envoy-fleet/xds';
import type { ProxyView } from '../modules/proxies/proxy.dto';
import type { ProxyDeliveryStatusView } from '../modules/proxies/proxy-status.dto';
import { etagOf, invalidField, timestampOf } from './grpc-request';

const MIB = 1024 * 1024;

/** What the fleet manager does with a proxy; `removed` (being torn down) has no proto value. */
export const DESIRED_STATES: Readonly<Record<DesiredStateName, ProxyDesiredState>> = {
  running: ProxyDesiredState.PROXY_DESIRED_STATE_RUNNING,
  stopped: ProxyDesiredState.PROXY_DESIRED_STATE_STOPPED,
  removed: ProxyDesiredState.PROXY_DESIRED_STATE_UNSPECIFIED,
};

export const PHASES: Readonly<Record<ProxyStatusName, ProxyPhase>> = {
  created: ProxyPhase.PROXY_PHASE_PENDING,
  starting: ProxyPhase.PROXY_PHASE_CREATING,
  running: ProxyPhase.PROXY_PHASE_RUNNING,
  stopped: ProxyPhase.PROXY_PHASE_STOPPED,
  failed: ProxyPhase.PROXY_PHASE_FAILED,
  unknown: ProxyPhase.PROXY_PHASE_UNSPECIFIED,
};

export const HEALTHS: Readonly<Record<ProxyHealth, Health>> = {
  healthy: Health.HEALTH_HEALTHY,
  unhealthy: Health.HEALTH_UNHEALTHY,
  unknown: Health.HEALTH_UNKNOWN,
};

const SYNC_STATES: Readonly<Record<XdsSyncStatus, XdsSyncState>> = {
  NOT_SENT: XdsSyncState.XDS_SYNC_STATE_NOT_SENT,
  STALE: XdsSyncState.XDS_SYNC_STATE_PENDING,
  SYNCED: XdsSyncState.XDS_SYNC_STATE_SYNCED,
  NACKED: XdsSyncState.XDS_SYNC_STATE_NACKED,
};

const KINDS: Readonly<Record<XdsResourceType, ResourceKind>> = {
  listener: 'listener',
  route_config: 'route',
  cluster: 'cluster',
  endpoint: 'endpoint',
  secret: 'secret',
};

/** The domain name a proto enum value stands for, or INVALID_REQUEST naming the field. */
export function nameOf<N extends string, V extends number>(
  names: Readonly<Record<N, V>>,
  value: V,
  path: string,
): N {
  const found = (Object.entries(names) as [N, V][]).find(([, each]) => each === value);
  if (found === undefined) throw invalidField(path, `${value} is not one of its enum values`);
  return found[0];
}

function limitsMessage(limits: ProxyView['resourceLimits']): ResourceLimits | undefined {
  if (limits.cpuMillicores === null && limits.memoryMib === null) return undefined;
  return { cpuMillis: limits.cpuMillicores ?? 0, memoryBytes: String((limits.memoryMib ?? 0) * MIB) };
}

/** Resource limits as the REST representation writes them: 0 means no limit. */
export function limitsWrite(limits: ResourceLimits | undefined, path: string): ProxyView['resourceLimits'] {
  const memoryBytes = Number(limits?.memoryBytes ?? 0);
  if (memoryBytes % MIB !== 0) throw invalidField(`${path}.memory_bytes`, 'must be a whole number of MiB');
  return {
    cpuMillicores: limits === undefined || limits.cpuMillis === 0 ? null : limits.cpuMillis,
    memoryMib: memoryBytes === 0 ? null : memoryBytes / MIB,
  };
}

export function proxyMessage(view: ProxyView): Proxy {
  return {
    id: view.id,
    nodeId: view.nodeId,
    groupId: view.groupId,
    vmId: view.vmId ?? '',
    containerId: view.containerId ?? '',
    containerName: view.containerName,
    image: view.image,
    proxyPort: view.proxyPort,
    adminPort: view.adminPort,
    desiredState: DESIRED_STATES[view.desiredState],
    phase: PHASES[view.status],
    health: HEALTHS[view.health],
    labels: view.labels,
    metadata: view.metadata,
    resourceLimits: limitsMessage(view.resourceLimits),
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

/** Where each xDS type stands for the proxy, as fleet-manager recorded xds-server's reports. */
export function xdsStatusMessages(delivery: ProxyDeliveryStatusView): XdsTypeStatus[] {
  return XDS_RESOURCE_TYPES.map((type) => {
    const { status, acked, nack } = delivery.resources[type];
    const latest = [acked?.at, nack?.at]
      .filter((at): at is string => at !== undefined)
      .sort()
      .at(-1);
    return {
      typeUrl: typeUrlOf(KINDS[type]),
      state: SYNC_STATES[status],
      versionSent: nack?.xdsVersion ?? acked?.xdsVersion ?? '',
      versionAcked: acked?.xdsVersion ?? '',
      nonce: '',
      errorDetail: nack?.message ?? '',
      updateTime: timestampOf(latest ?? null),
    };
  });
}
