import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  DEFAULT_INITIAL_FETCH_TIMEOUT_MS,
  ENVOY_CLIENT_FEATURES,
  ENVOY_USER_AGENT_NAME,
  SIMULATED_ENVOY_VERSION,
  type SimBootstrap,
  type XdsMode,
  type XdsServerConfig,
} from './sim-bootstrap';

/**
 * The subset of Envoy's bootstrap (envoy.config.bootstrap.v3.Bootstrap) the simulator reads: `node`,
 * `dynamic_resources.ads_config` with the static cluster it names (address, port, TLS files), the
 * initial fetch timeout of `cds_config`/`lds_config`, and `admin.address`. Everything else is ignored,
 * so the bootstrap of the real Envoy image works unchanged.
 */
const socketAddress = z.object({
  address: z.string().min(1),
  port_value: z.coerce.number().int().min(0).max(65535),
});
const address = z.object({ socket_address: socketAddress });
const dataSource = z.object({ filename: z.string().min(1) }).partial();

const upstreamTlsContext = z.object({
  sni: z.string().optional(),
  common_tls_context: z
    .object({
      tls_certificates: z
        .array(z.object({ certificate_chain: dataSource.optional(), private_key: dataSource.optional() }))
        .optional(),
      validation_context: z.object({ trusted_ca: dataSource.optional() }).optional(),
    })
    .optional(),
});

const staticCluster = z.object({
  name: z.string(),
  load_assignment: z
    .object({
      endpoints: z.array(z.object({ lb_endpoints: z.array(z.object({ endpoint: z.object({ address }) })) })),
    })
    .optional(),
  transport_socket: z.object({ typed_config: upstreamTlsContext.optional() }).optional(),
});

const configSource = z.object({ initial_fetch_timeout: z.string().optional() }).optional();

const bootstrapSchema = z.object({
  node: z.object({
    id: z.string().min(1),
    cluster: z.string().default(''),
    locality: z.object({ region: z.string(), zone: z.string(), sub_zone: z.string() }).partial().default({}),
    metadata: z.record(z.string(), z.unknown()).default({}),
    user_agent_name: z.string().optional(),
    client_features: z.array(z.string()).optional(),
  }),
  dynamic_resources: z.object({
    ads_config: z.object({
      api_type: z.enum(['GRPC', 'DELTA_GRPC', 'AGGREGATED_GRPC', 'AGGREGATED_DELTA_GRPC']).default('GRPC'),
      set_node_on_first_message_only: z.boolean().default(false),
      grpc_services: z
        .array(
          z.object({
            envoy_grpc: z.object({ cluster_name: z.string() }).optional(),
            google_grpc: z.object({ target_uri: z.string() }).optional(),
          }),
        )
        .min(1),
    }),
    cds_config: configSource,
    lds_config: configSource,
  }),
  static_resources: z.object({ clusters: z.array(staticCluster).default([]) }).default({ clusters: [] }),
  admin: z.object({ address }).optional(),
});

type BootstrapDocument = z.infer<typeof bootstrapSchema>;

/** Envoy accepts lowerCamelCase as well as snake_case field names; metadata keys are data, kept as written. */
function snakeCaseKeys(value: unknown, underMetadata = false): unknown {
  if (Array.isArray(value)) return value.map((item) => snakeCaseKeys(item));
  if (typeof value !== 'object' || value === null || underMetadata) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const snake = key.startsWith('@') ? key : key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
      return [snake, snakeCaseKeys(item, snake === 'metadata')];
    }),
  );
}

/** `15s`, `1.5s`, `500ms`: the proto3 JSON Duration form Envoy's bootstrap uses. */
export function parseDurationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value.trim());
  if (!match?.[1]) throw new Error(`invalid duration "${value}": expected e.g. "15s" or "500ms"`);
  const amount = Number(match[1]);
  return match[2] === 'ms' ? amount : amount * 1000;
}

function modeOf(apiType: BootstrapDocument['dynamic_resources']['ads_config']['api_type']): XdsMode {
  return apiType === 'DELTA_GRPC' || apiType === 'AGGREGATED_DELTA_GRPC' ? 'delta' : 'sotw';
}

type XdsTarget = Pick<XdsServerConfig, 'host' | 'port' | 'alternateEndpoints' | 'tls'>;

function xdsTarget(doc: BootstrapDocument): XdsTarget {
  const service = doc.dynamic_resources.ads_config.grpc_services[0];
  if (service?.google_grpc) {
    const target = service.google_grpc.target_uri.replace(/^dns:(\/\/\/)?/, '');
    const separator = target.lastIndexOf(':');
    if (separator <= 0) throw new Error(`google_grpc.target_uri "${target}" must be host:port`);
    return { host: target.slice(0, separator), port: Number(target.slice(separator + 1)) };
  }
  const clusterName = service?.envoy_grpc?.cluster_name;
  if (!clusterName)
    throw new Error('ads_config.grpc_services[0] needs envoy_grpc.cluster_name or google_grpc.target_uri');
  const cluster = doc.static_resources.clusters.find((candidate) => candidate.name === clusterName);
  // Every endpoint of the cluster, in order: the first is where Envoy starts, the others take over.
  const [first, ...alternates] = (cluster?.load_assignment?.endpoints ?? [])
    .flatMap((locality) => locality.lb_endpoints)
    .map(({ endpoint }) => ({
      host: endpoint.address.socket_address.address,
      port: endpoint.address.socket_address.port_value,
    }));
  if (!cluster || !first) {
    throw new Error(
      `ads_config names cluster "${clusterName}" but static_resources.clusters has no such cluster with a load_assignment endpoint`,
    );
  }
  const servers = { ...first, ...(alternates.length > 0 ? { alternateEndpoints: alternates } : {}) };
  const tlsContext = cluster.transport_socket?.typed_config;
  if (!tlsContext) return servers;
  const certificate = tlsContext.common_tls_context?.tls_certificates?.[0];
  return {
    ...servers,
    tls: {
      caFile: tlsContext.common_tls_context?.validation_context?.trusted_ca?.filename,
      certFile: certificate?.certificate_chain?.filename,
      keyFile: certificate?.private_key?.filename,
      serverName: tlsContext.sni,
    },
  };
}

/** Reads an Envoy bootstrap from a parsed YAML/JSON document; errors name the offending field. */
export function bootstrapFromDocument(document: unknown): SimBootstrap {
  const parsed = bootstrapSchema.safeParse(snakeCaseKeys(document));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`invalid bootstrap: ${problems.join('; ')}`);
  }
  const doc = parsed.data;
  const timeout =
    doc.dynamic_resources.cds_config?.initial_fetch_timeout ??
    doc.dynamic_resources.lds_config?.initial_fetch_timeout;
  const adminSocket = doc.admin?.address.socket_address;
  return {
    node: {
      id: doc.node.id,
      cluster: doc.node.cluster,
      locality: {
        region: doc.node.locality.region,
        zone: doc.node.locality.zone,
        subZone: doc.node.locality.sub_zone,
      },
      metadata: doc.node.metadata,
      userAgentName: doc.node.user_agent_name ?? ENVOY_USER_AGENT_NAME,
      userAgentVersion: SIMULATED_ENVOY_VERSION,
      clientFeatures: doc.node.client_features ?? ENVOY_CLIENT_FEATURES,
    },
    xds: {
      ...xdsTarget(doc),
      mode: modeOf(doc.dynamic_resources.ads_config.api_type),
      setNodeOnFirstMessageOnly: doc.dynamic_resources.ads_config.set_node_on_first_message_only,
      initialFetchTimeoutMs:
        timeout === undefined ? DEFAULT_INITIAL_FETCH_TIMEOUT_MS : parseDurationMs(timeout),
    },
    admin: adminSocket ? { address: adminSocket.address, port: adminSocket.port_value } : undefined,
  };
}

/** Loads a bootstrap file: YAML (which includes JSON) as Envoy's `-c` takes it. */
export function loadBootstrapFile(path: string): SimBootstrap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read bootstrap file ${path}: ${(error as Error).message}`);
  }
  try {
    return bootstrapFromDocument(parseYaml(text));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}
