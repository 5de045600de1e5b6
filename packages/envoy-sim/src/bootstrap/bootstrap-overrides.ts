import { z } from 'zod';
import { parseDurationMs } from './bootstrap-file';
import {
  DEFAULT_ADMIN_ADDRESS,
  DEFAULT_INITIAL_FETCH_TIMEOUT_MS,
  DEFAULT_XDS_PORT,
  ENVOY_CLIENT_FEATURES,
  ENVOY_USER_AGENT_NAME,
  SIMULATED_ENVOY_VERSION,
  type SimBootstrap,
  type XdsMode,
} from './sim-bootstrap';

/** Settings that come from the environment or the command line, each overriding the bootstrap file. */
export interface BootstrapOverrides {
  readonly nodeId?: string;
  readonly cluster?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly xdsHost?: string;
  readonly xdsPort?: number;
  readonly mode?: XdsMode;
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  readonly tlsServerName?: string;
  readonly adminAddress?: string;
  readonly adminPort?: number;
  readonly initialFetchTimeoutMs?: number;
}

const port = z.coerce.number().int().min(0).max(65535);

/**
 * The variables of the Envoy image's entrypoint (seed 000, 3.1.3) plus the simulator's own, so the
 * node-agent starts envoy-sim exactly as it starts Envoy. INSTANCE_ID, VERSION and ENVIRONMENT become
 * node metadata as in the image's bootstrap template.
 */
const envSchema = z.object({
  NODE_ID: z.string().min(1).optional(),
  CLUSTER_NAME: z.string().min(1).optional(),
  REGION: z.string().min(1).optional(),
  ZONE: z.string().min(1).optional(),
  INSTANCE_ID: z.string().min(1).optional(),
  HOSTNAME: z.string().min(1).optional(),
  VERSION: z.string().min(1).optional(),
  ENVIRONMENT: z.string().min(1).optional(),
  CONTROL_PLANE_HOST: z.string().min(1).optional(),
  CONTROL_PLANE_PORT: port.optional(),
  XDS_MODE: z.enum(['sotw', 'delta']).optional(),
  XDS_TLS_CA_FILE: z.string().min(1).optional(),
  XDS_TLS_CERT_FILE: z.string().min(1).optional(),
  XDS_TLS_KEY_FILE: z.string().min(1).optional(),
  XDS_TLS_SERVER_NAME: z.string().min(1).optional(),
  ADMIN_ADDRESS: z.string().min(1).optional(),
  ADMIN_PORT: port.optional(),
  INITIAL_FETCH_TIMEOUT: z.string().min(1).optional(),
});

export const BOOTSTRAP_ENV_VARIABLES = Object.keys(envSchema.shape);

export function overridesFromEnv(env: NodeJS.ProcessEnv): BootstrapOverrides {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((issue) => `environment variable ${issue.path.join('.')}: ${issue.message}`)
        .join('; '),
    );
  }
  const vars = parsed.data;
  const metadataEntries = Object.entries({
    instance_id: vars.INSTANCE_ID ?? vars.HOSTNAME,
    version: vars.VERSION,
    environment: vars.ENVIRONMENT,
  }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return {
    nodeId: vars.NODE_ID,
    cluster: vars.CLUSTER_NAME,
    region: vars.REGION,
    zone: vars.ZONE,
    metadata: metadataEntries.length > 0 ? Object.fromEntries(metadataEntries) : undefined,
    xdsHost: vars.CONTROL_PLANE_HOST,
    xdsPort: vars.CONTROL_PLANE_PORT,
    mode: vars.XDS_MODE,
    tlsCaFile: vars.XDS_TLS_CA_FILE,
    tlsCertFile: vars.XDS_TLS_CERT_FILE,
    tlsKeyFile: vars.XDS_TLS_KEY_FILE,
    tlsServerName: vars.XDS_TLS_SERVER_NAME,
    adminAddress: vars.ADMIN_ADDRESS,
    adminPort: vars.ADMIN_PORT,
    initialFetchTimeoutMs: vars.INITIAL_FETCH_TIMEOUT
      ? parseDurationMs(vars.INITIAL_FETCH_TIMEOUT)
      : undefined,
  };
}

/** Later sources win: `mergeOverrides(fromEnv, fromFlags)`. */
export function mergeOverrides(...sources: readonly BootstrapOverrides[]): BootstrapOverrides {
  const merged: Record<string, unknown> = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged;
}

/**
 * Applies overrides to a bootstrap file's settings (or to defaults when there is no file); the node id
 * and the xDS host are required from one source or the other.
 */
export function resolveBootstrap(
  base: SimBootstrap | undefined,
  overrides: BootstrapOverrides,
): SimBootstrap {
  const nodeId = overrides.nodeId ?? base?.node.id;
  const xdsHost = overrides.xdsHost ?? base?.xds.host;
  const missing = [
    nodeId ? undefined : 'a node id (NODE_ID, --service-node or node.id in the bootstrap)',
    xdsHost
      ? undefined
      : 'an xDS server host (CONTROL_PLANE_HOST, --xds-host or ads_config in the bootstrap)',
  ].filter((item): item is string => item !== undefined);
  if (!nodeId || !xdsHost) throw new Error(`envoy-sim needs ${missing.join(' and ')}`);
  const tlsBase = base?.xds.tls;
  const tls = {
    caFile: overrides.tlsCaFile ?? tlsBase?.caFile,
    certFile: overrides.tlsCertFile ?? tlsBase?.certFile,
    keyFile: overrides.tlsKeyFile ?? tlsBase?.keyFile,
    serverName: overrides.tlsServerName ?? tlsBase?.serverName,
  };
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new Error(
      'mTLS needs both a client certificate and its key (XDS_TLS_CERT_FILE and XDS_TLS_KEY_FILE)',
    );
  }
  const adminPort = overrides.adminPort ?? base?.admin?.port;
  return {
    node: {
      id: nodeId,
      cluster: overrides.cluster ?? base?.node.cluster ?? 'default-cluster',
      locality: {
        region: overrides.region ?? base?.node.locality.region,
        zone: overrides.zone ?? base?.node.locality.zone,
        subZone: base?.node.locality.subZone,
      },
      metadata: { ...base?.node.metadata, ...overrides.metadata },
      userAgentName: base?.node.userAgentName ?? ENVOY_USER_AGENT_NAME,
      userAgentVersion: base?.node.userAgentVersion ?? SIMULATED_ENVOY_VERSION,
      clientFeatures: base?.node.clientFeatures ?? ENVOY_CLIENT_FEATURES,
    },
    xds: {
      host: xdsHost,
      port: overrides.xdsPort ?? base?.xds.port ?? DEFAULT_XDS_PORT,
      // A host or port given here names one server: the file's alternates belong to its own.
      alternateEndpoints:
        overrides.xdsHost === undefined && overrides.xdsPort === undefined
          ? base?.xds.alternateEndpoints
          : undefined,
      mode: overrides.mode ?? base?.xds.mode ?? 'sotw',
      tls: tls.caFile || tls.certFile ? tls : undefined,
      setNodeOnFirstMessageOnly: base?.xds.setNodeOnFirstMessageOnly ?? true,
      initialFetchTimeoutMs:
        overrides.initialFetchTimeoutMs ??
        base?.xds.initialFetchTimeoutMs ??
        DEFAULT_INITIAL_FETCH_TIMEOUT_MS,
    },
    admin:
      adminPort === undefined
        ? undefined
        : {
            address: overrides.adminAddress ?? base?.admin?.address ?? DEFAULT_ADMIN_ADDRESS,
            port: adminPort,
          },
  };
}
