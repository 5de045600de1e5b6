import { randomUUID } from 'node:crypto';
import { appendEvents, withSystem } from '@envoy-fleet/db';
import {
  createEvent,
  type DomainEvent,
  type ProxyDesiredState,
  type ProxyHealth,
  type ProxyStatus,
} from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager } from 'typeorm';
import { type HealthSignals, type HealthVerdict, proxyHealth } from './proxy-health';

const ACTOR = 'system:fleet-manager-health';
/** The pass's transaction-scoped advisory lock: one replica judges at a time, the others skip. */
const PASS_LOCK = 'fleet-manager:proxy-health';

interface SignalRow {
  id: string;
  tenant_id: string;
  node_id: string;
  desired_state: ProxyDesiredState;
  status: ProxyStatus;
  ready: boolean | null;
  xds_connected: boolean;
  xds_connection_changed_at: Date | null;
  created_at: Date;
  node_status: HealthSignals['nodeStatus'];
  health: ProxyHealth;
  health_reasons: string[];
}

/** Which proxies to judge again: all, those of one VM, or some by id. */
export type HealthScope =
  { readonly all: true } | { readonly vmId: string } | { readonly proxyIds: string[] };

/**
 * Judges proxies' health (`proxyHealth`) from their stored signals, inside `manager`'s transaction: writes
 * the health and reasons that changed, and returns a `proxy.health.changed` event per proxy whose
 * health changed, for the caller to commit through the outbox. A row is locked before its verdict is
 * written, so a verdict is never written over one drawn from newer signals. The pass over all proxies
 * reads them unlocked and locks only those whose verdict changes, skipping rows an agent report is
 * writing (that report judges them): it neither dirties every row nor waits or deadlocks with reports.
 */
export async function judgeProxyHealth(
  manager: EntityManager,
  scope: HealthScope,
  disconnectGraceMs: number,
  now: Date = new Date(),
): Promise<DomainEvent<'proxy.health.changed'>[]> {
  if ('all' in scope) {
    const changing = (await signals(manager, 'TRUE', [], ''))
      .filter((row) => verdictOf(row, now, disconnectGraceMs) !== undefined)
      .map((row) => row.id);
    if (changing.length === 0) return [];
    const locked = await signals(
      manager,
      'p.id = ANY($1::uuid[])',
      [changing],
      'FOR UPDATE OF p SKIP LOCKED',
    );
    return record(manager, locked, now, disconnectGraceMs);
  }
  const [where, parameters] =
    'vmId' in scope ? ['p.vm_id = $1', [scope.vmId]] : ['p.id = ANY($1::uuid[])', [scope.proxyIds]];
  return record(
    manager,
    await signals(manager, where, parameters, 'FOR UPDATE OF p'),
    now,
    disconnectGraceMs,
  );
}

function signals(
  manager: EntityManager,
  where: string,
  parameters: unknown[],
  lock: string,
): Promise<SignalRow[]> {
  return manager.query<SignalRow[]>(
    `SELECT p.id, p.tenant_id, p.node_id, p.desired_state, p.status, p.ready, p.xds_connected,
       p.xds_connection_changed_at, p.created_at, n.status AS node_status, p.health, p.health_reasons
     FROM proxies p LEFT JOIN nodes n ON n.id = p.vm_id
     WHERE ${where}
     ${lock}`,
    parameters,
  );
}

/** The row's new verdict, or undefined when health and reasons stay as recorded. */
function verdictOf(row: SignalRow, now: Date, disconnectGraceMs: number): HealthVerdict | undefined {
  const verdict = proxyHealth(
    {
      desiredState: row.desired_state,
      status: row.status,
      ready: row.ready,
      xdsConnected: row.xds_connected,
      xdsConnectionChangedAt: row.xds_connection_changed_at,
      createdAt: row.created_at,
      nodeStatus: row.node_status,
    },
    now,
    disconnectGraceMs,
  );
  const sameReasons = JSON.stringify(verdict.reasons) === JSON.stringify(row.health_reasons);
  return verdict.health === row.health && sameReasons ? undefined : verdict;
}

async function record(
  manager: EntityManager,
  rows: readonly SignalRow[],
  now: Date,
  disconnectGraceMs: number,
): Promise<DomainEvent<'proxy.health.changed'>[]> {
  const events: DomainEvent<'proxy.health.changed'>[] = [];
  for (const row of rows) {
    const verdict = verdictOf(row, now, disconnectGraceMs);
    if (verdict === undefined) continue;
    await manager.query(`UPDATE proxies SET health = $2, health_reasons = $3::jsonb WHERE id = $1`, [
      row.id,
      verdict.health,
      JSON.stringify(verdict.reasons),
    ]);
    if (verdict.health === row.health) continue;
    events.push(
      createEvent('proxy.health.changed', {
        id: randomUUID(),
        tenantId: row.tenant_id,
        aggregateId: row.id,
        payload: {
          proxyId: row.id,
          nodeId: row.node_id,
          health: verdict.health,
          reasons: [...verdict.reasons],
        },
      }),
    );
  }
  return events;
}

export interface ProxyHealthMonitorDependencies {
  readonly systemDataSource: DataSource;
  /** An xDS disconnect lasting longer than this makes a proxy unhealthy. */
  readonly disconnectGraceMs: number;
  readonly logger: MessagingLogger;
}

/**
 * The health monitor's pass [seed 000 5.2]: every proxy's health judged again from its signals. Agent
 * reports judge the proxies they are about at once; the pass catches what changes without a report,
 * above all the xDS connection (recorded by the delivery recorder) and a disconnect outlasting its grace
 * period. Every replica runs it on the health interval; the advisory lock lets one of them judge at a time.
 */
export class ProxyHealthMonitor {
  constructor(private readonly deps: ProxyHealthMonitorDependencies) {}

  /** One pass; the proxies whose health changed, or undefined when another replica holds the lock. */
  async execute(): Promise<DomainEvent<'proxy.health.changed'>[] | undefined> {
    const changed = await withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      const [lock] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
        [PASS_LOCK],
      );
      if (lock?.locked !== true) return undefined;
      const events = await judgeProxyHealth(manager, { all: true }, this.deps.disconnectGraceMs);
      await appendEvents(manager, events);
      return events;
    });
    if (changed !== undefined && changed.length > 0) {
      this.deps.logger.info(
        {
          changed: changed.map(({ payload }) => ({
            nodeId: payload.nodeId,
            health: payload.health,
            reasons: payload.reasons,
          })),
        },
        'proxy health changed',
      );
    }
    return changed;
  }
}
