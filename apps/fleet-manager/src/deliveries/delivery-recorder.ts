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

/** A proxy (locked while its reports are recorded) with the sync status of each type, by column. */
type LockedProxy = { id: string; node_id: string } & Record<string, XdsSyncStatus>;

/** What the history said of a proxy's type before the batch: its newest response and newest ACK. */
interface LatestResponses {
  proxy_id: string;
  resource_type: XdsResourceType;
  responded_at: Date | null;
  acked_at: Date | null;
  acked_version: string | null;
}

interface RecordedResponse {
  report: EventOf<'proxy.ack' | 'proxy.nack'>;
  resourceType: XdsResourceType;
  proxy: LockedProxy;
  configVersionId: string | null;
}

interface TypeState {
  proxyId: string;
  resourceType: XdsResourceType;
  recordedStatus: XdsSyncStatus;
  status: XdsSyncStatus;
  respondedAt: number;
  ackedAt: number;
  ackedVersion: string | undefined;
}

interface StatusChange {
  proxyId: string;
  resourceType: XdsResourceType;
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
   * Records one report, or every report of a batch, in one transaction: the sends first and together
   * ({@link recordSends}, a send always precedes the ACK or NACK of its response), then the connections
   * in their order, then the ACKs and NACKs together ({@link recordResponses}). Counters and latencies
   * are observed once the transaction committed.
   */
  async record(event: ProxyReportEvent | EventOf<'proxy.reports'>): Promise<void> {
    const reports = event.type === 'proxy.reports' ? proxyReportsOf(event) : [event];
    const tenantId = event.tenantId;
    if (tenantId === null) {
      this.deps.logger.info(
        { eventId: event.id, reports: reports.length },
        `${event.type} of proxies without a tenant (auto-registered) is not recorded`,
      );
      return;
    }
    const nodeIds = [...new Set(reports.map((report) => report.payload.nodeId))];
    const served = await this.deps.served.ofMany(nodeIds);
    const sends = reports.filter((report) => report.type === 'proxy.sent');
    const responses = reports.filter((report) => report.type === 'proxy.ack' || report.type === 'proxy.nack');
    const recorded = await withTenant(this.deps.dataSource, { tenantId, actor: ACTOR }, async (manager) => {
      // The batch's proxies are locked first and in one order: replicas recording reports about the same
      // proxies queue rather than deadlock, and the responses are applied to statuses no one else changes.
      await manager.query(`SELECT 1 FROM proxies WHERE node_id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [
        nodeIds,
      ]);
      if (sends.length > 0) await this.recordSends(manager, tenantId, sends, served);
      for (const report of reports) {
        if (report.type === 'proxy.connected' || report.type === 'proxy.disconnected') {
          await this.connection(manager, tenantId, report, served);
        }
      }
      return this.recordResponses(manager, tenantId, responses, served);
    });
    for (const { resourceType, report } of recorded) {
      this.deps.metrics?.responseRecorded(resourceType, report.type === 'proxy.ack' ? 'ack' : 'nack');
      const snapshot = served.get(report.payload.nodeId);
      if (
        report.type === 'proxy.ack' &&
        snapshot?.versionOf(report.payload.typeUrl) === report.payload.version
      ) {
        this.deps.metrics?.snapshotAcked(resourceType, snapshot.servingKey, new Date(report.occurredAt));
      }
    }
  }

  /**
   * A `sent` row in `config_history` per response xds-server wrote, all in one statement (a fleet-wide
   * change sends a response per proxy and type) after reading the proxies' snapshots in three round
   * trips, tied to the config version as an ACK is. Each type sent is STALE until
   * answered, unless an ACK or NACK of it (or of a later response) was recorded first; such changes are
   * announced as `proxy.sync.changed`.
   */
  private async recordSends(
    manager: EntityManager,
    tenantId: string,
    sends: readonly EventOf<'proxy.sent'>[],
    served: ReadonlyMap<string, ServedSnapshot>,
  ): Promise<void> {
    const rows = sends.flatMap((send) => {
      const resourceType = resourceTypeOf(send.payload.typeUrl);
      return resourceType === undefined ? [] : [{ send, resourceType }];
    });
    if (rows.length === 0) return;
    const servedVersionOf = ({ send }: (typeof rows)[number]): string | null => {
      const snapshot = served.get(send.payload.nodeId);
      if (snapshot === undefined || snapshot.versionOf(send.payload.typeUrl) !== send.payload.version)
        return null;
      return configVersionOfServingKey(snapshot.servingKey) ?? null;
    };
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
    for (const [resourceType, column] of Object.entries(SYNC_STATUS_COLUMNS) as [XdsResourceType, string][]) {
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
    manager: EntityManager,
    tenantId: string,
    event: EventOf<'proxy.connected' | 'proxy.disconnected'>,
    served: ReadonlyMap<string, ServedSnapshot>,
  ): Promise<void> {
    const connected = event.type === 'proxy.connected';
    const { nodeId, xdsReplica } = event.payload;
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
    const snapshot = served.get(nodeId);
    if (connected && snapshot !== undefined && proxyId !== undefined) {
      await this.markStale(manager, tenantId, { proxyId, nodeId }, snapshot, event.occurredAt);
    }
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

  /**
   * Records the ACKs and NACKs of a batch in a few statements whatever their number, with the outcome
   * recording them one by one in their order would have: the proxies (locked by `record`) and what their
   * history says are read once, each report is applied in memory ({@link applyResponses}), then the rows, the
   * transient NACKs, the statuses and the announcements are written set-based. Returns the reports
   * recorded now (a redelivered one is not).
   */
  private async recordResponses(
    manager: EntityManager,
    tenantId: string,
    reports: readonly EventOf<'proxy.ack' | 'proxy.nack'>[],
    served: ReadonlyMap<string, ServedSnapshot>,
  ): Promise<RecordedResponse[]> {
    const typed = reports.flatMap((report) => {
      const resourceType = resourceTypeOf(report.payload.typeUrl);
      return resourceType === undefined ? [] : [{ report, resourceType }];
    });
    if (typed.length === 0) return [];
    const nodeIds = [...new Set(typed.map(({ report }) => report.payload.nodeId))];
    const proxies = await manager.query<LockedProxy[]>(
      `SELECT id, node_id, ${Object.values(SYNC_STATUS_COLUMNS).join(', ')} FROM proxies
       WHERE node_id = ANY($1::text[])`,
      [nodeIds],
    );
    const proxyOf = new Map(proxies.map((proxy) => [proxy.node_id, proxy]));
    const rows = typed.flatMap(({ report, resourceType }) => {
      const proxy = proxyOf.get(report.payload.nodeId);
      return proxy === undefined ? [] : [{ report, resourceType, proxy }];
    });
    if (rows.length === 0) return [];
    const servedVersionOf = ({ report }: (typeof rows)[number]): string | null => {
      const snapshot = served.get(report.payload.nodeId);
      if (snapshot?.versionOf(report.payload.typeUrl) !== report.payload.version) return null;
      return configVersionOfServingKey(snapshot.servingKey) ?? null;
    };
    const pairs = [...new Map(rows.map((row) => [`${row.proxy.id} ${row.resourceType}`, row])).values()];
    // Newest first along (proxy_id, sent_at): a response's sent_at is its responded_at.
    const latest = await manager.query<LatestResponses[]>(
      `SELECT k.proxy_id, k.resource_type, r.responded_at, a.responded_at AS acked_at, a.xds_version AS acked_version
       FROM unnest($1::uuid[], $2::text[]) AS k(proxy_id, resource_type)
       LEFT JOIN LATERAL (
         SELECT h.responded_at FROM config_history h
         WHERE h.proxy_id = k.proxy_id AND h.resource_type = k.resource_type AND h.status <> 'sent'
         ORDER BY h.sent_at DESC LIMIT 1) r ON true
       LEFT JOIN LATERAL (
         SELECT h.responded_at, h.xds_version FROM config_history h
         WHERE h.proxy_id = k.proxy_id AND h.resource_type = k.resource_type AND h.status = 'acked'
         ORDER BY h.sent_at DESC LIMIT 1) a ON true`,
      [pairs.map(({ proxy }) => proxy.id), pairs.map(({ resourceType }) => resourceType)],
    );
    // The config version: the served snapshot's when the response names its version of the type, else
    // the one an earlier row about the same xDS version was tied to (see the README).
    const inserted = await manager.query<{ event_id: string; config_version_id: string | null }[]>(
      `WITH response AS (
         SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
           $9::timestamptz[], $10::uuid[])
           AS r(event_id, proxy_id, resource_type, xds_version, nonce, status, error_detail, responded_at,
             served_version_id)
       )
       INSERT INTO config_history (tenant_id, proxy_id, config_version_id, resource_type, xds_version, nonce,
         status, error_detail, sent_at, responded_at, event_id)
       SELECT $1, r.proxy_id,
         COALESCE(
           (SELECT v.id FROM config_versions v WHERE v.id = r.served_version_id),
           (SELECT h.config_version_id FROM config_history h
            WHERE h.proxy_id = r.proxy_id AND h.resource_type = r.resource_type AND h.xds_version = r.xds_version
              AND h.config_version_id IS NOT NULL
            ORDER BY h.sent_at DESC LIMIT 1)),
         r.resource_type, r.xds_version, r.nonce, r.status, r.error_detail, r.responded_at, r.responded_at,
         r.event_id
       FROM response r
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id, config_version_id`,
      [
        tenantId,
        rows.map(({ report }) => report.id),
        rows.map(({ proxy }) => proxy.id),
        rows.map(({ resourceType }) => resourceType),
        rows.map(({ report }) => report.payload.version),
        rows.map(({ report }) => report.payload.nonce),
        rows.map(({ report }) => (report.type === 'proxy.ack' ? 'acked' : 'nacked')),
        rows.map(({ report }) =>
          report.type === 'proxy.nack'
            ? JSON.stringify({ code: UNKNOWN_CODE, message: report.payload.errorDetail })
            : null,
        ),
        rows.map(({ report }) => report.occurredAt),
        rows.map(servedVersionOf),
      ],
    );
    const configVersionOf = new Map(inserted.map((row) => [row.event_id, row.config_version_id]));
    const recorded = rows.flatMap((row) => {
      const configVersionId = configVersionOf.get(row.report.id);
      return configVersionId === undefined ? [] : [{ ...row, configVersionId }];
    });
    if (recorded.length === 0) return [];
    await this.clearTransientNacks(manager, recorded);
    const { statuses, announced } = applyResponses(recorded, latest, served);
    for (const [resourceType, column] of Object.entries(SYNC_STATUS_COLUMNS) as [XdsResourceType, string][]) {
      const changed = statuses.filter((each) => each.resourceType === resourceType);
      if (changed.length === 0) continue;
      await manager.query(
        `UPDATE proxies p SET ${column} = s.status
         FROM unnest($1::uuid[], $2::text[]) AS s(proxy_id, status) WHERE p.id = s.proxy_id`,
        [changed.map((each) => each.proxyId), changed.map((each) => each.status)],
      );
    }
    await appendEvents(
      manager,
      announced.map((payload) => syncChanged(tenantId, payload)),
    );
    return recorded;
  }

  /**
   * NACKs of the version an ACK names, not yet settled and no older than the window before the ACK, are
   * transient: no alarm. A NACK of the same batch counts only when it came before the ACK.
   */
  private async clearTransientNacks(
    manager: EntityManager,
    recorded: readonly RecordedResponse[],
  ): Promise<void> {
    const acks = recorded.filter(({ report }) => report.type === 'proxy.ack');
    if (acks.length === 0) return;
    await manager.query(
      `UPDATE config_history h SET status = 'transient', settled_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS a(proxy_id, resource_type, xds_version, acked_at)
       WHERE h.proxy_id = a.proxy_id AND h.resource_type = a.resource_type AND h.xds_version = a.xds_version
         AND h.status = 'nacked' AND h.settled_at IS NULL
         AND h.responded_at >= a.acked_at - make_interval(secs => $5::double precision / 1000)
         AND (h.responded_at <= a.acked_at OR h.event_id <> ALL($6::uuid[]))`,
      [
        acks.map(({ proxy }) => proxy.id),
        acks.map(({ resourceType }) => resourceType),
        acks.map(({ report }) => report.payload.version),
        acks.map(({ report }) => report.occurredAt),
        this.deps.transientWindowMs,
        recorded.map(({ report }) => report.id),
      ],
    );
  }
}

/**
 * Applies the ACKs and NACKs recorded now, in their order, to what the history said of each proxy and
 * type: a report older than the newest response recorded for its proxy and type changes nothing; an
 * ACK makes the type SYNCED (STALE when the snapshot moved on), a NACK NACKED; an ACK that changes the
 * status or acknowledges a new version is announced. Returns the final status of each changed type.
 */
function applyResponses(
  recorded: readonly RecordedResponse[],
  latest: readonly LatestResponses[],
  served: ReadonlyMap<string, ServedSnapshot>,
): { statuses: StatusChange[]; announced: DomainEvent<'proxy.sync.changed'>['payload'][] } {
  const keyOf = (proxyId: string, resourceType: XdsResourceType) => `${proxyId} ${resourceType}`;
  const history = new Map(latest.map((each) => [keyOf(each.proxy_id, each.resource_type), each]));
  const states = new Map<string, TypeState>();
  const announced: DomainEvent<'proxy.sync.changed'>['payload'][] = [];
  for (const { report, resourceType, proxy, configVersionId } of recorded) {
    const key = keyOf(proxy.id, resourceType);
    const before = history.get(key);
    const recordedStatus = proxy[SYNC_STATUS_COLUMNS[resourceType]] ?? 'NOT_SENT';
    const state = states.get(key) ?? {
      proxyId: proxy.id,
      resourceType,
      recordedStatus,
      status: recordedStatus,
      respondedAt: before?.responded_at?.getTime() ?? -Infinity,
      ackedAt: before?.acked_at?.getTime() ?? -Infinity,
      ackedVersion: before?.acked_version ?? undefined,
    };
    states.set(key, state);
    const at = new Date(report.occurredAt).getTime();
    const { version, typeUrl } = report.payload;
    const acked = report.type === 'proxy.ack';
    const lastAckedVersion = state.ackedVersion;
    if (acked && at >= state.ackedAt) Object.assign(state, { ackedAt: at, ackedVersion: version });
    if (state.respondedAt > at) continue;
    state.respondedAt = at;
    const status = acked
      ? statusAfterAck(version, served.get(report.payload.nodeId)?.versionOf(typeUrl))
      : 'NACKED';
    if (acked && (status !== state.status || lastAckedVersion !== version)) {
      announced.push({
        proxyId: proxy.id,
        nodeId: proxy.node_id,
        resourceType,
        status,
        xdsVersion: version,
        configVersionId,
        errorDetail: null,
      });
    }
    state.status = status;
  }
  const statuses = [...states.values()]
    .filter((state) => state.status !== state.recordedStatus)
    .map(({ proxyId, resourceType, status }) => ({ proxyId, resourceType, status }));
  return { statuses, announced };
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
