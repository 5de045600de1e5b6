/**
 * The node-agent protocol: the commands fleet-manager sends to the agent of one VM, and what the agent
 * reports back.
 *
 * Transport. Commands travel on the node's durable JetStream subject through
 * `EventBus.sendCommand(nodeId, { id, kind, payload, issuedAt })` and are received with
 * `EventBus.consumeCommands(nodeId, ...)`; `nodeId` is the id of the node row (`nodes.id`, the VM), which
 * the operator creates through the api and gives to the agent as `NODE_ID`. Reports are domain events
 * (`packages/domain/src/events.ts`) published with `EventBus.publish`:
 *
 * | event                     | delivery  | aggregate | payload                 |
 * | ------------------------- | --------- | --------- | ----------------------- |
 * | `agent.registered`        | durable   | node id   | {@link NodeRegistration} |
 * | `agent.heartbeat`         | broadcast | node id   | {@link NodeHeartbeat}    |
 * | `agent.command.completed` | durable   | node id   | {@link AgentCommandResult} |
 * | `agent.container.changed` | durable   | node id   | {@link ContainerStateChange} |
 * | `agent.reconciled`        | durable   | node id   | {@link ReconcileReport}  |
 * | `agent.logs`              | broadcast | command id| {@link LogChunk}         |
 *
 * `probe`, `logs` and `stop-logs` change nothing on the node: the api sends them on the same subject for
 * `GET /proxies/{node_id}/metrics` and `/logs`, and waits for their results.
 *
 * Reports about one proxy carry its tenant as the event's `tenantId`; node-wide reports carry null.
 *
 * Delivery and idempotency. A command is handled at least once. Every command states the desired end
 * state of one proxy's container, so handling it twice does no harm: `create` of a container that exists
 * with the same spec, `stop` of a stopped one, `remove` of an absent one all succeed without changing
 * anything (`changed: false`). Each handled delivery, first or repeated, publishes one
 * `agent.command.completed` whose event id is derived from the command id, so JetStream drops the
 * duplicate and consumers see one result per command.
 *
 * Containers are named `envoy-proxy-<groupName>-<ordinal, 3 digits>` (see `proxyContainerName`) and carry
 * labels holding the whole {@link ProxyContainerSpec}, so that the agent rebuilds its state from Docker
 * alone after a restart.
 */
import { z } from 'zod';
import { PROXY_GROUP_NAME_PATTERN } from './entities/proxy-group.entity';
import type { ProxyStatus } from './entities/proxy.entity';
import { labelKeyProblem, labelValueProblem } from './values/labels.value';

/** Seed 000 uses 30 s between SIGTERM and SIGKILL. */
export const DEFAULT_STOP_GRACE_SECONDS = 30;
const MAX_GRACE_SECONDS = 3_600;
/** Docker refuses memory limits below 6 MiB. */
const MIN_MEMORY_MIB = 6;
/** Label keys under this prefix belong to the agent; a spec's own labels may not use it. */
export const AGENT_LABEL_PREFIX = 'envoy-fleet.';

const port = z.number().int().min(1).max(65_535);
const graceSeconds = z.number().int().min(0).max(MAX_GRACE_SECONDS).default(DEFAULT_STOP_GRACE_SECONDS);
const proxyId = z.uuid();

const containerLabelsSchema = z.record(z.string(), z.string()).superRefine((labels, context) => {
  for (const [key, value] of Object.entries(labels)) {
    const problem = key.startsWith(AGENT_LABEL_PREFIX)
      ? `keys starting with "${AGENT_LABEL_PREFIX}" are reserved for the agent`
      : (labelKeyProblem(key) ?? labelValueProblem(value));
    if (problem !== null) context.addIssue({ code: 'custom', path: [key], message: problem });
  }
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envSchema = z.record(z.string().regex(ENV_NAME, 'must be a shell variable name'), z.string());

/** Docker's restart policies; `unless-stopped` keeps a crashed Envoy running without the agent. */
export const CONTAINER_RESTART_POLICIES = ['no', 'on-failure', 'unless-stopped', 'always'] as const;
export type ContainerRestartPolicy = (typeof CONTAINER_RESTART_POLICIES)[number];

/** Where Envoy finds its xDS server (seed 000 3.1.2 `xds_cluster`). */
export const xdsTargetSchema = z.strictObject({
  host: z.string().min(1),
  port,
  /**
   * A directory on the VM holding `ca-cert.pem`, `client-cert.pem` and `client-key.pem`, mounted
   * read-only at `/etc/envoy/certs`; null: plaintext to the xDS server.
   */
  tlsDirectory: z.string().startsWith('/').nullable().default(null),
});
export type XdsTarget = z.output<typeof xdsTargetSchema>;

/** Seed 000 3.3: limits of one container; null leaves that resource unlimited. */
export const containerResourcesSchema = z.strictObject({
  memoryMib: z.number().int().min(MIN_MEMORY_MIB).nullable().default(null),
  cpuMillicores: z.number().int().min(1).nullable().default(null),
});
export type ContainerResources = z.output<typeof containerResourcesSchema>;

/** Everything the agent needs to create one proxy's container, and to recreate it from its labels. */
export const proxyContainerSpecSchema = z.strictObject({
  proxyId,
  tenantId: z.uuid(),
  /** Envoy's `node.id` (the proxies row's `node_id`). */
  xdsNodeId: z.string().min(1).max(256),
  /** The proxy group's name: Envoy's `node.cluster` and part of the container name. */
  groupName: z.string().regex(PROXY_GROUP_NAME_PATTERN, 'must be a valid proxy group name'),
  /** The instance number within the group: `envoy-proxy-<groupName>-<ordinal, 3 digits>`. */
  ordinal: z.number().int().min(0).max(999_999),
  image: z.string().min(1),
  proxyPort: port,
  adminPort: port,
  xds: xdsTargetSchema,
  /** Envoy's `node.locality.zone`; null: the agent's own zone. */
  zone: z.string().min(1).nullable().default(null),
  resources: containerResourcesSchema.default({ memoryMib: null, cpuMillicores: null }),
  /** Extra environment for the container; the bootstrap variables the agent sets win over these. */
  env: envSchema.default({}),
  /** Docker labels added to the container (Kubernetes label syntax). */
  labels: containerLabelsSchema.default({}),
  restartPolicy: z.enum(CONTAINER_RESTART_POLICIES).default('unless-stopped'),
});
export type ProxyContainerSpec = z.output<typeof proxyContainerSpecSchema>;
/** A spec as the sender may write it, with defaults left out. */
export type ProxyContainerSpecInput = z.input<typeof proxyContainerSpecSchema>;

/** The payload of each command kind. */
export const agentCommandPayloadSchemas = {
  /**
   * Ensures the container exists with this spec (a container of the same proxy with another spec is
   * replaced), and is running unless `start` is false. Pulls the image when absent.
   */
  create: proxyContainerSpecSchema.extend({ start: z.boolean().default(true) }),
  /** Starts the proxy's container; it must exist. */
  start: z.strictObject({ proxyId }),
  /** SIGTERM, then SIGKILL after `graceSeconds` (Envoy drains in between). */
  stop: z.strictObject({ proxyId, graceSeconds }),
  restart: z.strictObject({ proxyId, graceSeconds }),
  /** Stops (gracefully) and removes the container, and forgets the proxy. */
  remove: z.strictObject({ proxyId, graceSeconds }),
  /** Recreates the container from its spec with another image; it runs afterwards if it ran before. */
  'update-image': z.strictObject({ proxyId, image: z.string().min(1), graceSeconds }),
  /** Reads the admin `/ready` and, with `stats`, `/stats/prometheus`; the result is in `probe`. */
  probe: z.strictObject({ proxyId, stats: z.boolean().default(true) }),
  /**
   * Sends the container's logs as `agent.logs` chunks keyed by the command id, the last one with
   * `end: true`. Without `follow` the result comes after the last chunk; with `follow` it comes as soon
   * as the stream is open (so that later commands are not held up), and chunks keep coming until the
   * container stops or `followSeconds` pass.
   */
  logs: z.strictObject({
    proxyId,
    tail: z.number().int().min(0).max(10_000).default(100),
    follow: z.boolean().default(false),
    followSeconds: z.number().int().min(1).max(MAX_GRACE_SECONDS).default(300),
    /** ISO 8601 instant: only lines written since then. */
    since: z.iso.datetime({ offset: true }).nullable().default(null),
  }),
  /**
   * Ends a followed `logs` stream before its time (its reader went away): the stream sends its last
   * chunk. A stream that already ended is left as is (`changed: false`).
   */
  'stop-logs': z.strictObject({ proxyId, logsCommandId: z.uuid() }),
} as const;

export type AgentCommandKind = keyof typeof agentCommandPayloadSchemas;
export const AGENT_COMMAND_KINDS = Object.keys(agentCommandPayloadSchemas) as readonly AgentCommandKind[];

/** Payloads after defaults (what the agent handles). */
export type AgentCommandPayloads = {
  [K in AgentCommandKind]: z.output<(typeof agentCommandPayloadSchemas)[K]>;
};
/** Payloads as a sender may write them (defaults optional). */
export type AgentCommandPayloadInputs = {
  [K in AgentCommandKind]: z.input<(typeof agentCommandPayloadSchemas)[K]>;
};

/** One decoded command: `switch (command.kind)` narrows the payload. */
export type ParsedAgentCommand = {
  [K in AgentCommandKind]: { readonly kind: K; readonly payload: AgentCommandPayloads[K] };
}[AgentCommandKind];

export function isAgentCommandKind(value: string): value is AgentCommandKind {
  return Object.prototype.hasOwnProperty.call(agentCommandPayloadSchemas, value);
}

/** The outcome of decoding a received command: a precise reason when it is not valid. */
export type AgentCommandParse =
  | { readonly ok: true; readonly command: ParsedAgentCommand }
  | { readonly ok: false; readonly message: string };

/** Decodes a received command's kind and payload against the schemas, applying defaults. */
export function parseAgentCommand(kind: string, payload: unknown): AgentCommandParse {
  if (!isAgentCommandKind(kind)) {
    return {
      ok: false,
      message: `unknown command kind "${kind}"; expected one of ${AGENT_COMMAND_KINDS.join(', ')}`,
    };
  }
  const parsed = agentCommandPayloadSchemas[kind].safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`,
    );
    return { ok: false, message: `invalid ${kind} payload: ${issues.join('; ')}` };
  }
  return { ok: true, command: { kind, payload: parsed.data } as ParsedAgentCommand };
}

/** Why a command failed. */
export const AGENT_ERROR_CODES = [
  /** The kind or payload does not match the schemas (not retried: resending would not help). */
  'invalid_command',
  /** No container of that proxy on this node (start, stop with nothing to stop is not an error). */
  'container_not_found',
  /** The image is absent and the registry could not be reached or refused the pull. */
  'image_pull_failed',
  /** A port or the container name is taken by something the agent does not manage. */
  'conflict',
  /** The Docker engine could not be reached. */
  'docker_unavailable',
  /** Docker refused the operation for another reason (the message says which). */
  'docker_error',
] as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

/** What a `probe` command read from Envoy's admin interface. */
export interface ProbeResult {
  /** Admin `/ready` answered 200 (Envoy is LIVE). */
  readonly ready: boolean;
  /** HTTP status of `/ready`; null when the admin port did not answer. */
  readonly readyStatus: number | null;
  /** Why the admin port did not answer. */
  readonly error: string | null;
  /** `/stats/prometheus` text (at most 256 KiB); null when not asked or not answered. */
  readonly stats: string | null;
  readonly statsTruncated: boolean;
}

interface CommandResultBase {
  readonly commandId: string;
  readonly nodeId: string;
  readonly kind: string;
  /** The proxy the command was about; null when the payload could not be read. */
  readonly proxyId: string | null;
  /** ISO 8601 instant. */
  readonly completedAt: string;
}

/** Published once per command as `agent.command.completed`. */
export type AgentCommandResult =
  | (CommandResultBase & {
      readonly ok: true;
      /** The container after the command; null once removed. */
      readonly containerId: string | null;
      /** False when the container was already in the desired state (a redelivery, say). */
      readonly changed: boolean;
      /** Set for `probe`. */
      readonly probe: ProbeResult | null;
    })
  | (CommandResultBase & {
      readonly ok: false;
      readonly containerId: string | null;
      readonly error: { readonly code: AgentErrorCode; readonly message: string };
    });

/** Published as `agent.registered` when the agent starts, and again after the bus comes back. */
export interface NodeRegistration {
  readonly nodeId: string;
  readonly hostname: string;
  /** Non-internal IPv4 and IPv6 addresses of the VM. */
  readonly addresses: readonly string[];
  readonly region: string | null;
  readonly zone: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity: { readonly cpuMillicores: number; readonly memoryMib: number };
  readonly agentVersion: string;
  /** Null when the Docker engine cannot be reached at registration. */
  readonly dockerVersion: string | null;
  /** ISO 8601 instant the agent process started. */
  readonly startedAt: string;
}

/** The observed state of a container, as Docker names it. */
export const CONTAINER_STATES = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** `/ready` as last probed by the agent (or Docker's health check when the image has one). */
export type ContainerHealth = 'healthy' | 'unhealthy' | 'unknown';

/** One container as the agent sees it. */
export interface ContainerReport {
  readonly containerId: string;
  readonly containerName: string;
  /** Null for an unknown container (named like a proxy, but without the agent's labels). */
  readonly proxyId: string | null;
  readonly state: ContainerState;
  /** The domain's view of that state (`proxies.status`). */
  readonly status: ProxyStatus;
  readonly health: ContainerHealth;
  readonly image: string;
  /** Resource use at the last sample; null when not running. */
  readonly usage: ContainerUsage | null;
}

export interface ContainerUsage {
  /** CPU in use, in millicores (1000 = one core busy). */
  readonly cpuMillicores: number;
  readonly memoryMib: number;
  /** Null: no limit. */
  readonly memoryLimitMib: number | null;
}

/** Published as `agent.heartbeat` every few seconds (broadcast: only the latest matters). */
export interface NodeHeartbeat {
  readonly nodeId: string;
  /** ISO 8601 instant. */
  readonly sentAt: string;
  readonly dockerReachable: boolean;
  readonly host: {
    readonly cpuMillicores: number;
    readonly memoryUsedMib: number;
    readonly memoryTotalMib: number;
    readonly loadAverage1m: number;
  };
  readonly containers: readonly ContainerReport[];
}

/** Docker events the agent reports as they happen, and health changes its probes find. */
export const CONTAINER_CHANGES = ['start', 'die', 'oom', 'health', 'destroy'] as const;
export type ContainerChange = (typeof CONTAINER_CHANGES)[number];

/** Published as `agent.container.changed`. */
export interface ContainerStateChange {
  readonly nodeId: string;
  readonly proxyId: string | null;
  readonly containerId: string;
  readonly containerName: string;
  readonly change: ContainerChange;
  readonly status: ProxyStatus;
  /** Set for `die`: 137 after SIGKILL (an OOM kill too), 143 after SIGTERM. */
  readonly exitCode: number | null;
  /** Set for `health`. */
  readonly health: ContainerHealth | null;
  /** ISO 8601 instant Docker (or the probe) observed the change. */
  readonly observedAt: string;
}

/** Published as `agent.reconciled` after each reconciliation (at start and periodically). */
export interface ReconcileReport {
  readonly nodeId: string;
  readonly containers: readonly ContainerReport[];
  /** Proxies whose container was missing and was created again. */
  readonly recreated: readonly string[];
  /** Names of containers the agent does not manage (named `envoy-proxy-*` without its labels). */
  readonly unknown: readonly string[];
  /** Unknown containers removed because the agent is configured to (`AGENT_REMOVE_UNKNOWN`). */
  readonly removedUnknown: readonly string[];
  /** ISO 8601 instant. */
  readonly completedAt: string;
}

/** Published as `agent.logs`; chunks of one `logs` command share its id and count up in `sequence`. */
export interface LogChunk {
  readonly nodeId: string;
  readonly commandId: string;
  readonly proxyId: string;
  /** 0, 1, 2, ...: lets a reader put chunks in order and notice a missing one. */
  readonly sequence: number;
  readonly lines: readonly { readonly stream: 'stdout' | 'stderr'; readonly text: string }[];
  /** The last chunk of the command (an empty one when the stream ended without new lines). */
  readonly end: boolean;
}
