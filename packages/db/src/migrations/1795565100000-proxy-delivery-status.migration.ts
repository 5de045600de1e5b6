import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What fleet-manager records of each proxy's xDS streams (issue 6): whether it is connected and to
 * which xds-server replica, and per delivery the event that reported it (`event_id`, so a redelivered
 * event is recorded once) and when a NACK was settled: `nacked` once it outlasted the transient window,
 * or `transient` when an ACK of the same version cleared it within the window.
 */
export class ProxyDeliveryStatus1795565100000 implements MigrationInterface {
  name = 'ProxyDeliveryStatus1795565100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE proxies
        ADD COLUMN xds_connected boolean NOT NULL DEFAULT false,
        ADD COLUMN xds_replica text,
        ADD COLUMN xds_connection_changed_at timestamptz;
      ALTER TABLE config_history
        DROP CONSTRAINT ck_config_history_status,
        ADD CONSTRAINT ck_config_history_status
          CHECK (status IN ('sent', 'acked', 'nacked', 'transient', 'rolled_back')),
        ADD COLUMN event_id uuid,
        ADD COLUMN settled_at timestamptz,
        ADD CONSTRAINT uq_config_history_event_id UNIQUE (event_id);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DELETE FROM config_history WHERE status = 'transient';
      ALTER TABLE config_history
        DROP CONSTRAINT uq_config_history_event_id,
        DROP COLUMN settled_at,
        DROP COLUMN event_id,
        DROP CONSTRAINT ck_config_history_status,
        ADD CONSTRAINT ck_config_history_status CHECK (status IN ('sent', 'acked', 'nacked', 'rolled_back'));
      ALTER TABLE proxies
        DROP COLUMN xds_connection_changed_at,
        DROP COLUMN xds_replica,
        DROP COLUMN xds_connected;
    `);
  }
}
