import { hostVariable, integerVariable, portVariable } from '@envoy-fleet/telemetry/env';
import { z } from 'zod';

/** The variables of scheduling and the health monitor, spread into the app's environment schema. */
export const fleetSchedulingVariables = {
  FLEET_XDS_HOST: hostVariable()
    .default('127.0.0.1')
    .describe('host the Envoy containers reach the xds-server at (their bootstrap xds_cluster)'),
  FLEET_XDS_PORT: portVariable().default(18000).describe('port of the xds-server for the Envoy containers'),
  FLEET_XDS_TLS_DIRECTORY: z
    .string()
    .startsWith('/', 'expected an absolute directory on the VMs')
    .optional()
    .describe(
      'directory on each VM with ca-cert.pem, client-cert.pem and client-key.pem; unset: plaintext xDS',
    ),
  FLEET_PROXY_IMAGE: z
    .string()
    .min(1)
    .default('envoyproxy/envoy:v1.36.2')
    .describe("image of a group's first proxies; later ones take the image the group already runs"),
  FLEET_PROXY_CPU_MILLICORES: integerVariable(1, 1_000_000)
    .default(500)
    .describe('CPU limit of each scheduled proxy, and what it reserves on its VM (seed 000 3.3)'),
  FLEET_PROXY_MEMORY_MIB: integerVariable(6, 1_048_576)
    .default(256)
    .describe('memory limit of each scheduled proxy, and what it reserves on its VM (seed 000 3.3)'),
  FLEET_STOP_GRACE_SECONDS: integerVariable(0, 3_600)
    .default(30)
    .describe('how long a drained proxy gets between SIGTERM and SIGKILL'),
  FLEET_NODE_HEARTBEAT_TIMEOUT_MS: integerVariable(100, 86_400_000)
    .default(30_000)
    .describe('a VM whose agent has not sent a heartbeat for this long is marked not_ready'),
  FLEET_HEALTH_INTERVAL_MS: integerVariable(50, 3_600_000)
    .default(5_000)
    .describe(
      "how often the health monitor judges proxies' health and looks for VMs that stopped heartbeating",
    ),
  FLEET_XDS_DISCONNECT_GRACE_MS: integerVariable(0, 86_400_000)
    .default(30_000)
    .describe(
      'a proxy without an xDS stream for longer than this is unhealthy (a reconnect within it is not)',
    ),
};

type FleetSchedulingEnv = z.output<z.ZodObject<typeof fleetSchedulingVariables>>;

export interface FleetSettings {
  readonly xds: { readonly host: string; readonly port: number; readonly tlsDirectory: string | null };
  readonly defaultImage: string;
  readonly proxyDemand: { readonly cpuMillicores: number; readonly memoryMib: number };
  readonly stopGraceSeconds: number;
  readonly heartbeatTimeoutMs: number;
  readonly healthIntervalMs: number;
  readonly disconnectGraceMs: number;
}

export function fleetSettingsFrom(env: FleetSchedulingEnv): FleetSettings {
  return {
    xds: {
      host: env.FLEET_XDS_HOST,
      port: env.FLEET_XDS_PORT,
      tlsDirectory: env.FLEET_XDS_TLS_DIRECTORY ?? null,
    },
    defaultImage: env.FLEET_PROXY_IMAGE,
    proxyDemand: { cpuMillicores: env.FLEET_PROXY_CPU_MILLICORES, memoryMib: env.FLEET_PROXY_MEMORY_MIB },
    stopGraceSeconds: env.FLEET_STOP_GRACE_SECONDS,
    heartbeatTimeoutMs: env.FLEET_NODE_HEARTBEAT_TIMEOUT_MS,
    healthIntervalMs: env.FLEET_HEALTH_INTERVAL_MS,
    disconnectGraceMs: env.FLEET_XDS_DISCONNECT_GRACE_MS,
  };
}
