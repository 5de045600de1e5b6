import { randomUUID } from 'node:crypto';
import { appendEvents, withSystem, withTenant } from '@envoy-fleet/db';
import {
  createEvent,
  type DomainEvent,
  PROXY_REPORT_TYPES,
  type ProxyReportEvent,
  proxyReportsOf,
  type XdsErrorDetail,
  type XdsResourceType,
  type XdsSyncStatus,
} from '@envoy-fleet/domain';
import { type EventOf, type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager } from 'typeorm';
import {
  configVersionOfServingKey,
  resourceTypeOf,
  statusAfterAck,
  SYNC_STATUS_COLUMNS,
  typeUrlOfResourceType,
} from './delivery-status';
import { type DeliveryMetrics } from '../metrics/delivery-metrics';
import { type ServedSnapshot, type ServedSnapshots } from './served-snapshots';

/** What xds-server reports: batched in `proxy.reports`, or one event per report. */
export const PROXY_REPORTS = [...PROXY_REPORT_TYPES, 'proxy.reports'] as const;
export type ProxyReport = ProxyReportEvent;

const ACTOR = 'system:fleet-manager';
/** The event carries Envoy's message only; its `error_detail` code is not reported (google.rpc UNKNOWN). */
const UNKNOWN_CODE = 2;
const SETTLE_BATCH = 500;

export interface DeliveryRecorderDependencies {
  /** The app role: each report is recorded in its tenant's transaction (row-level security). */
  readonly dataSource: DataSource;
  /** The system role: settling NACKs looks at every tenant. */
  readonly systemDataSource: DataSource;
  readonly served: ServedSnapshots;
  /** A NACK that an ACK of the same version clears within this window is transient. */
  readonly transientWindowMs: number;
  readonly logger: MessagingLogger;
  /** ACK and NACK counters; the app passes its registry's. */
  readonly metrics?: DeliveryMetrics;
}

interface SettledNack {
  id: string;
  tenant_id: string;
  proxy_id: string;
  node_id: string;
  resource_type: XdsResourceType;
  xds_version: string;
  config_version_id: string | null;
  error_detail: XdsErrorDetail;
}

interface ProxyRow {
  id: string;
  status: XdsSyncStatus;
}

/**
 * Turns what xds-server reports about proxies into their recorded state: the connection, the sync status
 * of each resource type (SYNCED, STALE, NACKED, NOT_SENT as `istioctl proxy-status` shows them) and a
 * `config_history` row per ACK and NACK, tied to the config version of the snapshot that was served.
 * Every report is recorded once (its event id is unique in `config_history`), and an older report never
 * overrides what a newer one said. Changes are announced as `proxy.sync.changed` through the outbox, in
 * the same transaction; a NACK is announced only once it outlasted the transient window (`settleNacks`).
 */
export class DeliveryRecorder {
  constructor(private readonly deps: DeliveryRecorderDependencies) {}

  /**
   * Records one report, or every report of a batch in its order, except that the sends of a batch are
   * recorded first and together ({@link recordSends}): a send always precedes the ACK or NACK of its
   * response, so they keep their order.
   */
  async record(event: ProxyReport | EventOf<'proxy.reports'>): Promise<void> {
    const reports = event.type === 'proxy.reports' ? proxyReportsOf(event) : [event];
    const tenantId = event.tenantId;
    if (tenantId === null) {
      this.deps.logger.info(
        { eventId: event.id, reports: reports.length },
        `${event.type} of proxies without a tenant (auto-registered) is not recorded`,
      );
      return;
    }
    const sends = reports.filter((report) => report.type === 'proxy.sent');
    if (sends.length > 0) await this.recordSends(tenantId, sends);
    for (const report of reports) {
      switch (report.type) {
        case 'proxy.connected':
        case 'proxy.disconnected':
          await this.connection(tenantId, report);
          break;
        case 'proxy.ack':
        case 'proxy.nack':
          await this.response(tenantId, report);
          break;
        case 'proxy.sent':
          break;
      }
    }
  }

  /**
   * A `sent` row in `config_history` per response xds-server wrote, all in one statement (a fleet-wide
   * change sends a response per proxy and type) after reading the proxies' snapshots in three round
   * trips, tied to the config version as an ACK is (`attribute`). Each type sent is STALE until
   * answered, unless an ACK or NACK of it (or of a later response) was recorded first; such changes are
   * announced as `proxy.sync.changed`.
   */
  private async recordSends(tenantId: string, sends: readonly EventOf<'proxy.sent'>[]): Promise<void> {
    const rows = sends.flatMap((send) => {
      const resourceType = resourceTypeOf(send.payload.typeUrl);
      return resourceType === undefined ? [] : [{ send, resourceType }];
    });
    if (rows.length === 0) return;
    const served = await this.deps.served.ofMany(rows.map(({ send }) => send.payload.nodeId));
    const servedVersionOf = ({ send }: (typeof rows)[number]): string | null => {
      const snapshot = served.get(send.payload.nodeId);
      if (snapshot === undefined || snapshot.versionOf(send.payload.typeUrl) !== send.payload.version)
        return null;
      return configVersionOfServingKey(snapshot.servingKey) ?? null;
    };
    await withTenant(this.deps.dataSource, { tenantId, actor: ACTOR }, async (manager) => {
      const inserted = await manager.query<{ event_id: string; proxy_id: string }[]>(
        `WITH sent AS (
           SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
             $8::uuid[]) AS s(event_id, node_id, resource_type, xds_version, nonce, sent_at, served_version_id)
         )
         INSERT INTO config_history (tenant_id, proxy_id, config_version_id, resource_type, xds_version, nonce,
           status, sent_at, event_id)
         SELECT $1, p.id,
           COALESCE(
             (SELECT v.id FROM config_versions v WHERE v.id = s.served_version_id),
             (SELECT h.config_version_id FROM config_history h
              WHERE h.proxy_id = p.id AND h.resource_type = s.resource_type AND h.xds_version = s.xds_version
                AND h.config_version_id IS NOT NULL
              ORDER BY h.sent_at DESC LIMIT 1)),
           s.resource_type, s.xds_version, s.nonce, 'sent', s.sent_at, s.event_id
         FROM sent s JOIN proxies p ON p.node_id = s.node_id
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id, proxy_id`,
        [
          tenantId,
          rows.map(({ send }) => send.id),
          rows.map(({ send }) => send.payload.nodeId),
          rows.map(({ resourceType }) => resourceType),
          rows.map(({ send }) => send.payload.version),
          rows.map(({ send }) => send.payload.nonce),
          rows.map(({ send }) => send.occurredAt),
          rows.map(servedVersionOf),
        ],
      );
      const proxyOfSend = new Map(inserted.map((row) => [row.event_id, row.proxy_id]));
      const stale: DomainEvent<'proxy.sync.changed'>[] = [];
      for (const [resourceType, column] of Object.entries(SYNC_STATUS_COLUMNS) as [
        XdsResourceType,
        string,
      ][]) {
        // Sends are in the order xds-server made them: the last one of each proxy counts.
        const latest = new Map<string, EventOf<'proxy.sent'>>();
        for (const { send, resourceType: type } of rows) {
          const proxyId = proxyOfSend.get(send.id);
          if (proxyId !== undefined && type === resourceType) latest.set(proxyId, send);
        }
        if (latest.size === 0) continue;
        const [changed] = await manager.query<[{ id: string }[], number]>(
          `UPDATE proxies p SET ${column} = 'STALE'
           FROM unnest($1::uuid[], $2::timestamptz[]) AS s(proxy_id, sent_at)
           WHERE p.id = s.proxy_id AND p.${column} <> 'STALE'
             AND NOT EXISTS (
               SELECT 1 FROM config_history h
               WHERE h.proxy_id = s.proxy_id AND h.resource_type = $3 AND h.status <> 'sent'
                 AND h.responded_at >= s.sent_at)
           RETURNING p.id`,
          [[...latest.keys()], [...latest.values()].map((send) => send.occurredAt), resourceType],
        );
        for (const { id } of changed) {
          const send = latest.get(id);
          if (send === undefined) continue;
          stale.push(
            syncChanged(tenantId, {
              proxyId: id,
              nodeId: send.payload.nodeId,
              resourceType,
              status: 'STALE',
              xdsVersion: send.payload.version,
              configVersionId: null,
              errorDetail: null,
            }),
          );
        }
      }
      await appendEvents(manager, stale);
    });
  }

  /**
   * Marks every NACK older than the transient window and not cleared as lasting, and announces it.
   * Replicas share the work: each row is taken by one of them (SKIP LOCKED).
   */
  settleNacks(): Promise<number> {
    return withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      // PostgreSQL answers an UPDATE through TypeORM as [rows, row count].
      const [settled] = await manager.query<[SettledNack[], number]>(
        `WITH due AS (
           SELECT id FROM config_history
           WHERE status = 'nacked' AND settled_at IS NULL
             AND responded_at < now() - make_interval(secs => $1::double precision / 1000)
           ORDER BY responded_at LIMIT ${SETTLE_BATCH} FOR UPDATE SKIP LOCKED
         )
         UPDATE config_history h SET settled_at = now()
         FROM due, proxies p
         WHERE h.id = due.id AND p.id = h.proxy_id
         RETURNING h.id, h.tenant_id, h.proxy_id, p.node_id, h.resource_type, h.xds_version,
           h.config_version_id, h.error_detail`,
        [this.deps.transientWindowMs],
      );
      await appendEvents(
        manager,
        settled.map((row) =>
          syncChanged(row.tenant_id, {
            proxyId: row.proxy_id,
            nodeId: row.node_id,
            resourceType: row.resource_type,
            status: 'NACKED',
            xdsVersion: row.xds_version,
            configVersionId: row.config_version_id,
            errorDetail: row.error_detail.message,
          }),
        ),
      );
      return settled.length;
    });
  }

  private async connection(
    tenantId: string,
    event: EventOf<'proxy.connected' | 'proxy.disconnected'>,
  ): Promise<void> {
    const connected = event.type === 'proxy.connected';
    const { nodeId, xdsReplica } = event.payload;
    const served = connected ? await this.deps.served.of(nodeId) : undefined;
    await withTenant(this.deps.dataSource, { tenantId, actor: ACTOR }, async (manager) => {
      // A disconnect reported by a replica the proxy already left does not undo its newer connection.
      const [updated] = await manager.query<[{ id: string }[], number]>(
        `UPDATE proxies
         SET xds_connected = $1, xds_replica = $2, xds_connection_changed_at = $3
         WHERE node_id = $4
           AND (xds_connection_changed_at IS NULL OR xds_connection_changed_at < $3)
           AND ($1 OR xds_replica IS NULL OR xds_replica = $2)
         RETURNING id`,
        [connected, xdsReplica, event.occurredAt, nodeId],
      );
      const proxyId = updated[0]?.id;
      if (served !== undefined && proxyId !== undefined) {
        await this.markStale(manager, tenantId, { proxyId, nodeId }, served, event.occurredAt);
      }
    });
  }

  /**
   * On a (re)connection: a type SYNCED at a version the proxy's snapshot no longer holds (it changed while
   * the proxy was away) is STALE until the proxy ACKs the new one.
   */
  private async markStale(
    manager: EntityManager,
    tenantId: string,
    proxy: { readonly proxyId: string; readonly nodeId: string },
    served: ServedSnapshot,
    connectedAt: string,
  ): Promise<void> {
    const responses = await manager.query<
      { resource_type: XdsResourceType; xds_version: string; responded_at: Date }[]
    >(
      `SELECT DISTINCT ON (resource_type) resource_type, xds_version, responded_at FROM config_history
       WHERE proxy_id = $1 AND status IN ('acked', 'nacked')
       ORDER BY resource_type, responded_at DESC`,
      [proxy.proxyId],
    );
    const [statuses] = await manager.query<Record<string, XdsSyncStatus>[]>(
      `SELECT ${Object.values(SYNC_STATUS_COLUMNS).join(', ')} FROM proxies WHERE id = $1`,
      [proxy.proxyId],
    );
    for (const last of responses) {
      const column = SYNC_STATUS_COLUMNS[last.resource_type];
      const servedVersion = served.versionOf(typeUrlOfResourceType(last.resource_type));
      if (statuses?.[column] !== 'SYNCED' || last.responded_at > new Date(connectedAt)) continue;
      if (servedVersion === last.xds_version) continue;
      await manager.query(`UPDATE proxies SET ${column} = 'STALE' WHERE id = $1`, [proxy.proxyId]);
      await appendEvents(manager, [
        syncChanged(tenantId, {
          ...proxy,
          resourceType: last.resource_type,
          status: 'STALE',
          xdsVersion: servedVersion,
          configVersionId: null,
          errorDetail: null,
        }),
      ]);
    }
  }

  private async response(tenantId: string, event: EventOf<'proxy.ack' | 'proxy.nack'>): Promise<void> {
    const { nodeId, typeUrl, version, nonce } = event.payload;
    const resourceType = resourceTypeOf(typeUrl);
    if (resourceType === undefined) return;
    const served = await this.deps.served.of(nodeId);
    const column = SYNC_STATUS_COLUMNS[resourceType];
    await withTenant(this.deps.dataSource, { tenantId, actor: ACTOR }, async (manager) => {
      const [proxy] = await manager.query<ProxyRow[]>(
        `SELECT id, ${column} AS status FROM proxies WHERE node_id = $1 FOR UPDATE`,
        [nodeId],
      );
      if (proxy === undefined) return;
      const [lastAck] = await manager.query<{ xds_version: string }[]>(
        `SELECT xds_version FROM config_history
         WHERE proxy_id = $1 AND resource_type = $2 AND status = 'acked'
         ORDER BY responded_at DESC LIMIT 1`,
        [proxy.id, resourceType],
      );
      const configVersionId = await attribute(manager, proxy.id, resourceType, version, typeUrl, served);
      const acked = event.type === 'proxy.ack';
      const inserted = await manager.query<{ id: string }[]>(
        `INSERT INTO config_history (tenant_id, proxy_id, config_version_id, resource_type, xds_version, nonce,
           status, error_detail, sent_at, responded_at, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
         ON CONFLICT (event_id) DO NOTHING RETURNING id`,
        [
          tenantId,
          proxy.id,
          configVersionId,
          resourceType,
          version,
          nonce,
          acked ? 'acked' : 'nacked',
          event.type === 'proxy.nack'
            ? JSON.stringify({ code: UNKNOWN_CODE, message: event.payload.errorDetail })
            : null,
          event.occurredAt,
          event.id,
        ],
      );
      if (inserted.length === 0) return;
      this.deps.metrics?.responseRecorded(resourceType, acked ? 'ack' : 'nack');
      if (acked && served !== undefined && served.versionOf(typeUrl) === version) {
        this.deps.metrics?.snapshotAcked(resourceType, served.servingKey, new Date(event.occurredAt));
      }
      if (acked) await this.clearTransientNacks(manager, proxy.id, resourceType, version, event.occurredAt);
      const [newer] = await manager.query<unknown[]>(
        `SELECT 1 FROM config_history
         WHERE proxy_id = $1 AND resource_type = $2 AND responded_at > $3 AND status <> 'sent' LIMIT 1`,
        [proxy.id, resourceType, event.occurredAt],
      );
      if (newer !== undefined) return;
      const status = acked ? statusAfterAck(version, served?.versionOf(typeUrl)) : 'NACKED';
      if (status !== proxy.status) {
        await manager.query(`UPDATE proxies SET ${column} = $1 WHERE id = $2`, [status, proxy.id]);
      }
      if (acked && (status !== proxy.status || lastAck?.xds_version !== version)) {
        await appendEvents(manager, [
          syncChanged(tenantId, {
            proxyId: proxy.id,
            nodeId,
            resourceType,
            status,
            xdsVersion: version,
            configVersionId,
            errorDetail: null,
          }),
        ]);
      }
    });
  }

  /** NACKs of this version not yet settled and no older than the window are transient: no alarm. */
  private async clearTransientNacks(
    manager: EntityManager,
    proxyId: string,
    resourceType: XdsResourceType,
    version: string,
    ackedAt: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE config_history SET status = 'transient', settled_at = now()
       WHERE proxy_id = $1 AND resource_type = $2 AND xds_version = $3 AND status = 'nacked'
         AND settled_at IS NULL
         AND responded_at >= $4::timestamptz - make_interval(secs => $5::double precision / 1000)`,
      [proxyId, resourceType, version, ackedAt, this.deps.transientWindowMs],
    );
  }
}

/**
 * The config version a response is about: the one the proxy's current snapshot was built from when the
 * response names that snapshot's version of the type; otherwise (the proxy was moved on since) the
 * version an earlier response about the same xDS version was tied to; otherwise unknown.
 */
async function attribute(
  manager: EntityManager,
  proxyId: string,
  resourceType: XdsResourceType,
  xdsVersion: string,
  typeUrl: string,
  served: ServedSnapshot | undefined,
): Promise<string | null> {
  const fromSnapshot =
    served !== undefined && served.versionOf(typeUrl) === xdsVersion
      ? configVersionOfServingKey(served.servingKey)
      : undefined;
  if (fromSnapshot !== undefined) {
    const [stored] = await manager.query<{ id: string }[]>(`SELECT id FROM config_versions WHERE id = $1`, [
      fromSnapshot,
    ]);
    if (stored !== undefined) return stored.id;
  }
  const [earlier] = await manager.query<{ config_version_id: string }[]>(
    `SELECT config_version_id FROM config_history
     WHERE proxy_id = $1 AND resource_type = $2 AND xds_version = $3 AND config_version_id IS NOT NULL
     ORDER BY responded_at DESC LIMIT 1`,
    [proxyId, resourceType, xdsVersion],
  );
  return earlier?.config_version_id ?? null;
}

function syncChanged(
  tenantId: string,
  payload: DomainEvent<'proxy.sync.changed'>['payload'],
): DomainEvent<'proxy.sync.changed'> {
  return createEvent('proxy.sync.changed', {
    id: randomUUID(),
    tenantId,
    aggregateId: payload.proxyId,
    payload,
  });
}
