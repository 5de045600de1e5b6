import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Columns of `proxies` and `nodes` that record what is observed rather than what an operator asked
 * for: written by fleet-manager (container status and health, xDS connection and sync state per type,
 * drift, config rejection, a node's readiness and heartbeat) and its bookkeeping (when a command is
 * due, a rolling image update in flight). A node's `status` is observed except for draining, which the
 * trigger treats as owned. `version` and `updated_at` are listed because the trigger sets them itself.
 */
const OBSERVED_COLUMNS = {
  proxies: [
    'status',
    'health',
    'container_id',
    'listener_sync_status',
    'route_config_sync_status',
    'cluster_sync_status',
    'endpoint_sync_status',
    'secret_sync_status',
    'last_seen_at',
    'xds_connected',
    'xds_replica',
    'xds_connection_changed_at',
    'config_rejection',
    'config_rejected_at',
    'drift',
    'drift_observed_at',
    'drifted_at',
    'command_due_at',
    'image_updated_at',
    'version',
    'updated_at',
  ],
  nodes: ['status', 'last_heartbeat_at', 'agent_version', 'docker_version', 'version', 'updated_at'],
} as const;

/**
 * A proxy's or node's optimistic-lock version (its ETag) moves only when what operators own changes.
 * Before, every write bumped it, so an ACK, a status change or a heartbeat between an operator's read
 * and write made the write's If-Match stale (412) although nothing it had read had changed. Now an
 * update that changes only observed columns keeps `version` and `updated_at`; any other change, by
 * whoever makes it, bumps both. A column added later counts as operator-owned unless added to the list.
 */
export class ObservedStateKeepsVersion1795566400000 implements MigrationInterface {
  name = 'ObservedStateKeepsVersion1795566400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION app_touch_owned_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- TG_ARGV names the observed columns; a change to any other column is an owned change. A node's
        -- readiness is observed, but draining it (or ending a drain) is an operator's decision.
        IF (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV)
          OR (TG_TABLE_NAME = 'nodes'
            AND ((to_jsonb(OLD) ->> 'status') = 'draining') <> ((to_jsonb(NEW) ->> 'status') = 'draining'))
        THEN
          NEW.version := OLD.version + 1;
          NEW.updated_at := now();
        ELSE
          NEW.version := OLD.version;
          NEW.updated_at := OLD.updated_at;
        END IF;
        RETURN NEW;
      END
      $$`);
    for (const [table, columns] of Object.entries(OBSERVED_COLUMNS)) {
      await queryRunner.query(`DROP TRIGGER touch_row ON ${table}`);
      await queryRunner.query(
        `CREATE TRIGGER touch_row BEFORE UPDATE ON ${table} FOR EACH ROW
         EXECUTE FUNCTION app_touch_owned_row(${columns.map((column) => `'${column}'`).join(', ')})`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of Object.keys(OBSERVED_COLUMNS)) {
      await queryRunner.query(`DROP TRIGGER touch_row ON ${table}`);
      await queryRunner.query(
        `CREATE TRIGGER touch_row BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION app_touch_row()`,
      );
    }
    await queryRunner.query('DROP FUNCTION app_touch_owned_row()');
  }
}
