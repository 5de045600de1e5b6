import { DEFAULT_STOP_GRACE_SECONDS, type ProxyContainerSpec, proxyContainerName } from '@envoy-fleet/domain';
import type { CreateContainerRequest } from '../docker/container-engine';
import { containerLabels } from './container-labels';

/** Where the image's bootstrap expects the xDS client certificates (seed 000 3.1.2). */
export const CERTS_MOUNT_PATH = '/etc/envoy/certs';
const MIB = 1024 * 1024;

/** What the agent knows about its VM that goes into every container's bootstrap. */
export interface AgentPlacement {
  readonly nodeId: string;
  readonly region: string | null;
  readonly zone: string | null;
  /** `host`, or a Docker network name. */
  readonly network: string;
}

export function containerNameOf(spec: Pick<ProxyContainerSpec, 'groupName' | 'ordinal'>): string {
  return proxyContainerName(spec.groupName, spec.ordinal);
}

/**
 * The container of one proxy: the bootstrap variables of the Envoy image's entrypoint (seed 000 3.1.3,
 * `deploy/envoy/entrypoint.sh`), the limits of seed 000 3.3 and the labels that describe it.
 * On the host network the admin interface stays on loopback; on another network it listens in the
 * container and is published on the host's loopback only.
 */
export function containerDefinition(
  placement: AgentPlacement,
  spec: ProxyContainerSpec,
): CreateContainerRequest {
  const hostNetwork = placement.network === 'host';
  const name = containerNameOf(spec);
  const zone = spec.zone ?? placement.zone;
  const bootstrap: Record<string, string> = {
    NODE_ID: spec.xdsNodeId,
    CLUSTER_NAME: spec.groupName,
    INSTANCE_ID: name,
    CONTROL_PLANE_HOST: spec.xds.host,
    CONTROL_PLANE_PORT: String(spec.xds.port),
    ADMIN_ADDRESS: hostNetwork ? '127.0.0.1' : '0.0.0.0',
    ADMIN_PORT: String(spec.adminPort),
    PROXY_PORT: String(spec.proxyPort),
    ...(zone === null ? {} : { ZONE: zone }),
    ...(placement.region === null ? {} : { REGION: placement.region }),
    ...(spec.xds.tlsDirectory === null
      ? {}
      : {
          XDS_TLS_CA_FILE: `${CERTS_MOUNT_PATH}/ca-cert.pem`,
          XDS_TLS_CERT_FILE: `${CERTS_MOUNT_PATH}/client-cert.pem`,
          XDS_TLS_KEY_FILE: `${CERTS_MOUNT_PATH}/client-key.pem`,
        }),
  };
  const env = { ...spec.env, ...bootstrap };
  return {
    name,
    image: spec.image,
    env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    labels: containerLabels(placement.nodeId, spec),
    network: placement.network,
    portBindings: hostNetwork
      ? []
      : [
          { containerPort: spec.proxyPort, hostIp: '0.0.0.0', hostPort: spec.proxyPort },
          { containerPort: spec.adminPort, hostIp: '127.0.0.1', hostPort: spec.adminPort },
        ],
    binds: spec.xds.tlsDirectory === null ? [] : [`${spec.xds.tlsDirectory}:${CERTS_MOUNT_PATH}:ro`],
    memoryBytes: spec.resources.memoryMib === null ? null : spec.resources.memoryMib * MIB,
    nanoCpus: spec.resources.cpuMillicores === null ? null : spec.resources.cpuMillicores * 1_000_000,
    restartPolicy: spec.restartPolicy,
    stopTimeoutSeconds: DEFAULT_STOP_GRACE_SECONDS,
  };
}
