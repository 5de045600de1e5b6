/**
 * The domain event catalogue: every event the product publishes, its subject, its schema version
 * and its payload type. Apps publish and consume events only through these definitions.
 */

import type {
  AgentCommandResult,
  ContainerStateChange,
  LogChunk,
  NodeHeartbeat,
  NodeRegistration,
  ReconcileReport,
} from './agent-commands';

/** Where an event travels: `durable` events go through the outbox to JetStream; `broadcast` events
 *  are plain NATS fan-out that every replica hears and nobody replays (they announce state that is
 *  kept elsewhere, such as snapshots in Redis). */
export type EventDelivery = 'durable' | 'broadcast';

export interface EventPayloads {
  'tenant.created': { tenantId: string; name: string };
  'config.created': { configId: string; name: string };
  'config.updated': { configId: string; name: string };
  'config.deleted': { configId: string; name: string };
  'config.version.created': { configId: string; versionId: string; version: number; contentHash: string };
  'config.applied': { configId: string; versionId: string; rolloutId: string | null };
  /**
   * api: an operator released a config version that proxies NACKed lastingly (`POST
   * /configs/{id}/versions/{version}/release`): proxies that connect later get it again instead of the last
   * ACKed version (docs/rollouts.md). `nacks`: the lasting NACKs the release covers.
   */
  'config.version.released': { configId: string; versionId: string; version: number; nacks: number };
  'binding.changed': {
    bindingId: string;
    /** Null for template and inheritance bindings, which name no config. */
    configId: string | null;
    change: 'created' | 'updated' | 'deleted';
  };
  'template.changed': { templateId: string; name: string; change: 'created' | 'updated' | 'deleted' };
  'group.changed': { groupId: string; name: string; change: 'created' | 'updated' | 'deleted' };
  'group.scaled': { groupId: string; name: string; desiredReplicas: number };
  'proxy.changed': { proxyId: string; nodeId: string; change: 'created' | 'updated' | 'deleted' };
  'proxy.connected': { nodeId: string; xdsReplica: string };
  'proxy.disconnected': { nodeId: string; xdsReplica: string };
  'proxy.ack': { nodeId: string; typeUrl: string; version: string; nonce: string };
  'proxy.nack': { nodeId: string; typeUrl: string; version: string; nonce: string; errorDetail: string };
  /** xds-server wrote a discovery response: its type, version and nonce (the ACK or NACK echoes them). */
  'proxy.sent': { nodeId: string; typeUrl: string; version: string; nonce: string };
  /**
   * xds-server: the reports above, batched per tenant (one JetStream message instead of one per event:
   * a fleet-wide change makes every proxy report a send and an ACK per type within milliseconds).
   * Read them with {@link proxyReportsOf}.
   */
  'proxy.reports': { xdsReplica: string; reports: BatchedProxyReport[] };
  /**
   * fleet-manager: a proxy's health, combined from its container state, admin `/ready`, xDS connection and
   * its VM's heartbeats, changed; `reasons` say why it is not healthy (empty when it is; absent from
   * events written before health was combined).
   */
  'proxy.health.changed': {
    proxyId: string;
    nodeId: string;
    health: 'healthy' | 'unhealthy' | 'unknown';
    reasons?: string[];
  };
  /**
   * fleet-manager: a resource type of a proxy changed sync status (`istioctl proxy-status`'s SYNCED,
   * STALE, NACKED, NOT_SENT) or was SYNCED at a new version. A NACK is announced only once it outlasted
   * the transient window; `configVersionId` is the config version the xDS version was built from.
   */
  'proxy.sync.changed': {
    proxyId: string;
    nodeId: string;
    resourceType: 'listener' | 'route_config' | 'cluster' | 'endpoint' | 'secret';
    status: 'SYNCED' | 'STALE' | 'NACKED' | 'NOT_SENT';
    xdsVersion: string;
    configVersionId: string | null;
    errorDetail: string | null;
  };
  /** `POST /proxies/{node_id}/reload`: fleet-manager re-resolves and republishes the proxy's snapshot. */
  'proxy.reload.requested': { proxyId: string; nodeId: string };
  /**
   * fleet-manager: a proxy's ACKed versions differed from its current snapshot's for longer than the
   * drift threshold (`drifted`, with the differing types), or it converged again [NFR-OB-004].
   */
  'proxy.drift.changed': {
    proxyId: string;
    nodeId: string;
    drifted: boolean;
    resourceTypes: ('listener' | 'route_config' | 'cluster' | 'endpoint' | 'secret')[];
  };
  'node.registered': { vmId: string; hostname: string };
  'node.status.changed': { vmId: string; status: 'ready' | 'not_ready' | 'draining' };
  'node.changed': { vmId: string; hostname: string; change: 'updated' | 'deleted' };
  'rollout.changed': { rolloutId: string; configVersionId: string; state: string; wave: number };
  'snapshot.updated': { servingKeys: string[] };
  /**
   * api: rebuild the tenant's snapshots from PostgreSQL (`POST /snapshots/rebuild`, gRPC `CreateSnapshot`);
   * `nodeIds` are the proxies the caller wants served again, empty for the whole tenant.
   */
  'snapshot.rebuild.requested': { requestId: string; nodeIds: string[] };
  /** fleet-manager: a requested rebuild is done; `unserved` are the named proxies that still have no snapshot. */
  'snapshot.rebuild.completed': { requestId: string; nodeIds: string[]; unserved: string[] };
  /** api: what is the proxy served now (gRPC `GetSnapshot`)? fleet-manager answers `snapshot.read.completed`. */
  'snapshot.read.requested': { requestId: string; nodeId: string };
  /** fleet-manager: the snapshot a proxy is served (null: none, or Redis lost part of it). */
  'snapshot.read.completed': { requestId: string; nodeId: string; snapshot: ServedSnapshotView | null };
  'webhook.changed': { subscriptionId: string; change: 'created' | 'updated' | 'deleted' };
  'agent.registered': NodeRegistration;
  'agent.heartbeat': NodeHeartbeat;
  'agent.command.completed': AgentCommandResult;
  'agent.container.changed': ContainerStateChange;
  'agent.reconciled': ReconcileReport;
  'agent.logs': LogChunk;
}

export type EventType = keyof EventPayloads;

/** A proxy's served snapshot as fleet-manager reads it from Redis (`snapshot.read.completed`). */
export interface ServedSnapshotView {
  readonly servingKey: string;
  /** SHA-256 (hex) of the manifest. */
  readonly manifestHash: string;
  readonly resources: readonly {
    readonly typeUrl: string;
    readonly name: string;
    /** SHA-256 (hex) of the resource's protobuf bytes. */
    readonly version: string;
    /** The resource as proto3 JSON; null when the snapshot is too large to carry its bodies. */
    readonly body: Readonly<Record<string, unknown>> | null;
  }[];
}

/** What xds-server reports about a proxy's streams, alone or batched in `proxy.reports`. */
export const PROXY_REPORT_TYPES = [
  'proxy.connected',
  'proxy.disconnected',
  'proxy.sent',
  'proxy.ack',
  'proxy.nack',
] as const;
export type ProxyReportType = (typeof PROXY_REPORT_TYPES)[number];

/** A proxy report as an event of its own type. */
export type ProxyReportEvent = { [T in ProxyReportType]: DomainEvent<T> }[ProxyReportType];

/** One report in a `proxy.reports` batch: an event without the envelope fields the batch carries. */
export type BatchedProxyReport = {
  [T in ProxyReportType]: {
    readonly id: string;
    readonly type: T;
    readonly occurredAt: string;
    readonly payload: EventPayloads[T];
  };
}[ProxyReportType];

export interface EventDefinition {
  readonly subject: string;
  readonly schemaVersion: number;
  readonly delivery: EventDelivery;
}

/** Subject prefix of every durable event; the JetStream stream captures `events.>`. */
export const DURABLE_EVENT_SUBJECT_PREFIX = 'events';

const durable = (type: EventType, schemaVersion = 1): EventDefinition => ({
  subject: `${DURABLE_EVENT_SUBJECT_PREFIX}.${type}`,
  schemaVersion,
  delivery: 'durable',
});

export const EVENT_CATALOGUE: { readonly [T in EventType]: EventDefinition } = {
  'tenant.created': durable('tenant.created'),
  'config.created': durable('config.created'),
  'config.updated': durable('config.updated'),
  'config.deleted': durable('config.deleted'),
  'config.version.created': durable('config.version.created'),
  'config.applied': durable('config.applied'),
  'config.version.released': durable('config.version.released'),
  'binding.changed': durable('binding.changed'),
  'template.changed': durable('template.changed'),
  'group.changed': durable('group.changed'),
  'group.scaled': durable('group.scaled'),
  'proxy.changed': durable('proxy.changed'),
  'proxy.connected': durable('proxy.connected'),
  'proxy.disconnected': durable('proxy.disconnected'),
  'proxy.ack': durable('proxy.ack'),
  'proxy.nack': durable('proxy.nack'),
  'proxy.sent': durable('proxy.sent'),
  'proxy.reports': durable('proxy.reports'),
  'proxy.health.changed': durable('proxy.health.changed'),
  'proxy.sync.changed': durable('proxy.sync.changed'),
  'proxy.reload.requested': durable('proxy.reload.requested'),
  'proxy.drift.changed': durable('proxy.drift.changed'),
  'node.registered': durable('node.registered'),
  'node.status.changed': durable('node.status.changed'),
  'node.changed': durable('node.changed'),
  'rollout.changed': durable('rollout.changed'),
  'snapshot.updated': { subject: 'broadcast.snapshot.updated', schemaVersion: 1, delivery: 'broadcast' },
  'snapshot.rebuild.requested': durable('snapshot.rebuild.requested'),
  'snapshot.read.requested': durable('snapshot.read.requested'),
  'snapshot.read.completed': {
    subject: 'broadcast.snapshot.read.completed',
    schemaVersion: 1,
    delivery: 'broadcast',
  },
  'snapshot.rebuild.completed': durable('snapshot.rebuild.completed'),
  'webhook.changed': durable('webhook.changed'),
  'agent.registered': durable('agent.registered'),
  'agent.heartbeat': { subject: 'broadcast.agent.heartbeat', schemaVersion: 1, delivery: 'broadcast' },
  'agent.command.completed': durable('agent.command.completed'),
  'agent.container.changed': durable('agent.container.changed'),
  'agent.reconciled': durable('agent.reconciled'),
  'agent.logs': { subject: 'broadcast.agent.logs', schemaVersion: 1, delivery: 'broadcast' },
};

/** The envelope every event travels in, whatever the transport. */
export interface DomainEvent<T extends EventType = EventType> {
  /** UUID; also the de-duplication id (`Nats-Msg-Id`). */
  readonly id: string;
  readonly type: T;
  readonly schemaVersion: number;
  /** Owning tenant; null for events about the installation itself. */
  readonly tenantId: string | null;
  /** The entity the event is about; events of one aggregate are delivered in order. */
  readonly aggregateId: string;
  /** ISO 8601 instant. */
  readonly occurredAt: string;
  readonly payload: EventPayloads[T];
}

export function eventDefinition(type: EventType): EventDefinition {
  return EVENT_CATALOGUE[type];
}

/** Builds an event envelope with the catalogue's schema version. */
export function createEvent<T extends EventType>(
  type: T,
  init: {
    id: string;
    tenantId: string | null;
    aggregateId: string;
    payload: EventPayloads[T];
    occurredAt?: Date;
  },
): DomainEvent<T> {
  return {
    id: init.id,
    type,
    schemaVersion: EVENT_CATALOGUE[type].schemaVersion,
    tenantId: init.tenantId,
    aggregateId: init.aggregateId,
    occurredAt: (init.occurredAt ?? new Date()).toISOString(),
    payload: init.payload,
  };
}

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, value);
}

/** The reports of a `proxy.reports` batch as the events they stand for (same ids, in order). */
export function proxyReportsOf(batch: DomainEvent<'proxy.reports'>): ProxyReportEvent[] {
  return batch.payload.reports.map(
    (report) =>
      ({
        id: report.id,
        type: report.type,
        schemaVersion: EVENT_CATALOGUE[report.type].schemaVersion,
        tenantId: batch.tenantId,
        aggregateId: report.payload.nodeId,
        occurredAt: report.occurredAt,
        payload: report.payload,
      }) as ProxyReportEvent,
  );
}
