import { Injectable } from '@nestjs/common';
import {
  NODE_STATUSES,
  PROXY_DESIRED_STATES,
  PROXY_HEALTHS,
  PROXY_STATUSES,
  XDS_RESOURCE_TYPES,
  XDS_SYNC_STATUSES,
} from '@envoy-fleet/domain';
import type { Principal } from '../../auth/principal';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { FleetStatsView } from './fleet-stats.dto';

interface CountRow {
  dimension: string;
  value: string;
  count: number;
}

/** Each counted dimension: a label and the table and column it groups (constants, never input). */
const DIMENSIONS: readonly { readonly dimension: string; readonly table: string; readonly column: string }[] =
  [
    { dimension: 'proxy.status', table: 'proxies', column: 'status' },
    { dimension: 'proxy.health', table: 'proxies', column: 'health' },
    { dimension: 'proxy.desired_state', table: 'proxies', column: 'desired_state' },
    ...XDS_RESOURCE_TYPES.map((type) => ({
      dimension: `proxy.xds.${type}`,
      table: 'proxies',
      column: `${type}_sync_status`,
    })),
    { dimension: 'node.status', table: 'nodes', column: 'status' },
    { dimension: 'group', table: 'proxy_groups', column: "''" },
    { dimension: 'config', table: 'configs', column: "''" },
    { dimension: 'config.version', table: 'config_versions', column: "''" },
  ];

const COUNT_SQL = DIMENSIONS.map(
  ({ dimension, table, column }) =>
    `SELECT '${dimension}' AS dimension, ${column}::text AS value, count(*)::int AS count FROM ${table} GROUP BY 2`,
).join('\nUNION ALL\n');

/** Fleet counts of the caller's tenant [seed 001 6.1.4], in one query under row-level security. */
@Injectable()
export class FleetStatsService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  stats(principal: Principal): Promise<FleetStatsView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const rows: CountRow[] = await manager.query(COUNT_SQL);
      const tally = <const T extends readonly string[]>(dimension: string, values: T) =>
        Object.fromEntries(
          values.map((value) => [
            value,
            rows.find((row) => row.dimension === dimension && row.value === value)?.count ?? 0,
          ]),
        ) as Record<T[number], number>;
      const total = (dimension: string): number =>
        rows.filter((row) => row.dimension === dimension).reduce((sum, row) => sum + row.count, 0);
      return {
        proxies: {
          total: total('proxy.status'),
          byStatus: tally('proxy.status', PROXY_STATUSES),
          byHealth: tally('proxy.health', PROXY_HEALTHS),
          byDesiredState: tally('proxy.desired_state', PROXY_DESIRED_STATES),
          xdsSync: Object.fromEntries(
            XDS_RESOURCE_TYPES.map((type) => [type, tally(`proxy.xds.${type}`, XDS_SYNC_STATUSES)]),
          ) as FleetStatsView['proxies']['xdsSync'],
        },
        nodes: { total: total('node.status'), byStatus: tally('node.status', NODE_STATUSES) },
        proxyGroups: { total: total('group') },
        configs: { total: total('config'), versions: total('config.version') },
      };
    });
  }
}
